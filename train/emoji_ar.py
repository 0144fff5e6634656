"""emoji-ar: a class-conditional autoregressive transformer over the RVQ tokens of emoji-rvq, in the
real GPT-2 layout (model_type "gpt2"; train/gpt2.py), LlamaGen-style: a class token first, then the
grid in raster order, the 4 depths of each position in order (coarse to fine).

Token layout (also in the model card): the sequence is [class token, t_0, …, t_255] with
t_i the code at index i = (y · 8 + x) · 4 + d (d = 0 the coarsest depth). Vocabulary: ids 0…255 are
codes, 256 is reserved for "masked" (never produced), 257 + c is class c, 257 + num_classes is the null
class (classifier-free guidance; the class is replaced by it with p = 0.1 in training). The sampler
restricts the next token to codes 0…255.

Usage: /usr/bin/python3 train/emoji_ar.py OUT_DIR [--minutes M] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from gpt2 import GPT2, GPT2Config, hf_config
from safetensors_io import save_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "runs")
CODES = 256  # codebook size
FIRST_CLASS = CODES + 1  # after the reserved mask id


def with_class(seq: torch.Tensor, cls: torch.Tensor) -> torch.Tensor:
    return torch.cat([(FIRST_CLASS + cls)[:, None], seq], 1)  # [B, 257]


@torch.no_grad()
def evaluate(model: GPT2, seq: torch.Tensor, cls: torch.Tensor) -> float:
    """Mean next-code NLL (nats) on the validation sequences."""
    model.eval()
    total = 0.0
    for i in range(0, len(seq), 128):
        x = with_class(seq[i : i + 128], cls[i : i + 128])
        logits = model(x[:, :-1])
        total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), x[:, 1:].reshape(-1), reduction="sum").item()
    model.train()
    return total / seq.numel()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--minutes", type=float, default=40)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    z = np.load(os.path.join(RUNS, "emoji_tokens.npz"))
    seq, labels, split = torch.from_numpy(z["seq"]), torch.from_numpy(z["labels"]), torch.from_numpy(z["split"])
    classes = [str(c) for c in z["classes"]]
    tr_seq, tr_cls, va_seq, va_cls = seq[~split], labels[~split], seq[split], labels[split]
    null = len(classes)
    cfg = GPT2Config(vocab_size=FIRST_CLASS + len(classes) + 1, n_positions=seq.shape[1] + 1, n_embd=160, n_layer=4, n_head=5)
    model = GPT2(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{n_params:,} parameters; {len(tr_seq)} train / {len(va_seq)} validation sequences", flush=True)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.95))
    log, budget, t0, step = [], a.minutes * 60, time.time(), 0
    while True:
        elapsed = time.time() - t0
        if elapsed >= budget:
            break
        # Warm-up, then cosine decay over the time budget (not a step count: the machine's load varies).
        lr = a.lr * min(1.0, (step + 1) / 100) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * elapsed / budget)))
        for g in opt.param_groups:
            g["lr"] = lr
        idx = torch.randint(0, len(tr_seq), (a.batch,))
        k = tr_cls[idx]
        k = torch.where(torch.rand(a.batch) < 0.1, torch.full_like(k, null), k)  # CFG dropout
        x = with_class(tr_seq[idx], k)  # [B, 257]
        logits = model(x[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, cfg.vocab_size), x[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 50 == 0:
            entry = {"step": step, "loss": round(loss.item(), 4), "minutes": round(elapsed / 60, 2)}
            if step % 500 == 0:
                entry["val_nll"] = round(evaluate(model, va_seq, va_cls), 4)
            log.append(entry)
            print(json.dumps(entry), flush=True)
        step += 1
    minutes = (time.time() - t0) / 60
    os.makedirs(a.out, exist_ok=True)
    sd16 = {k: v.half() for k, v in model.hf_state_dict().items()}
    save_safetensors(os.path.join(a.out, "model.safetensors"), sd16, {"format": "pt"})
    model.load_hf_state_dict({k: v.float() for k, v in sd16.items()})
    val_nll = evaluate(model, va_seq, va_cls)
    config = hf_config(cfg, eos=CODES)
    config.update(bos_token_id=None, eos_token_id=None)
    config["stepwise"] = {
        "task": "class-to-image",
        "mask_token_id": CODES,
        "class_names": classes,
        "tokenizer_model": "emoji-rvq",
        "token_layout": "[class token 257 + c] then index = (y * 8 + x) * 4 + depth; depth 0 coarsest; codes 0-255",
        "first_class_token_id": FIRST_CLASS,
    }
    json.dump(config, open(os.path.join(a.out, "config.json"), "w"), indent=2)
    summary = {"parameters": n_params, "steps": step, "batch": a.batch, "train_minutes": round(minutes, 1), "threads": a.threads, "val_nll": round(val_nll, 4), "log": log}
    json.dump(summary, open(os.path.join(HERE, "emoji-ar.train_log.json"), "w"), indent=1)
    print(f"done: {step} steps in {minutes:.1f} min, validation NLL {val_nll:.4f}", flush=True)


if __name__ == "__main__":
    main()
