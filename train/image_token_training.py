"""What the two image-token generators' training scripts share (emoji_maskgit.py, emoji_ar.py): the
command line, the token data of train/emoji_tokens.py, the time-budgeted AdamW loop with classifier-free
guidance dropout, and the export (f16 safetensors, then the validation loss of the weights as shipped).

A script gives its model (with hf_state_dict / load_hf_state_dict), a loss of a batch, and an
evaluation of the validation sequences.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from safetensors_io import save_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "runs")


@dataclass
class TokenData:
    train_seq: torch.Tensor  # [N, P·D] codes in the sequence layout
    train_cls: torch.Tensor  # [N]
    val_seq: torch.Tensor
    val_cls: torch.Tensor
    classes: list[str]


def parse_args(seed: int) -> argparse.Namespace:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--minutes", type=float, default=40)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=seed)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    return a


def load_tokens() -> TokenData:
    z = np.load(os.path.join(RUNS, "emoji_tokens.npz"))
    seq, labels, split = torch.from_numpy(z["seq"]), torch.from_numpy(z["labels"]), torch.from_numpy(z["split"])
    return TokenData(seq[~split], labels[~split], seq[split], labels[split], [str(c) for c in z["classes"]])


def train(
    model: torch.nn.Module,
    data: TokenData,
    a: argparse.Namespace,
    batch_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    evaluate: Callable[[], float],
) -> tuple[int, list[dict], float]:
    """AdamW on batches of (sequences, classes), the class replaced by the null class with p = 0.1,
    until the time budget is spent. → (steps, log, minutes)."""
    null = len(data.classes)
    print(f"{sum(p.numel() for p in model.parameters()):,} parameters; {len(data.train_seq)} train / {len(data.val_seq)} validation sequences", flush=True)
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
        idx = torch.randint(0, len(data.train_seq), (a.batch,))
        s, k = data.train_seq[idx], data.train_cls[idx]
        k = torch.where(torch.rand(a.batch) < 0.1, torch.full_like(k, null), k)  # CFG dropout
        loss = batch_loss(s, k)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 50 == 0:
            entry = {"step": step, "loss": round(loss.item(), 4), "minutes": round(elapsed / 60, 2)}
            if step % 500 == 0:
                entry["val_nll"] = round(evaluate(), 4)
            log.append(entry)
            print(json.dumps(entry), flush=True)
        step += 1
    return step, log, (time.time() - t0) / 60


def export(model: torch.nn.Module, a: argparse.Namespace, config: dict, evaluate: Callable[[], float], name: str, nll_key: str, trained: tuple[int, list[dict], float]) -> float:
    """Writes OUT/model.safetensors (f16) and OUT/config.json, evaluates the weights as shipped and
    writes train/<name>.train_log.json. → the validation NLL."""
    steps, log, minutes = trained
    os.makedirs(a.out, exist_ok=True)
    sd16 = {k: v.half() for k, v in model.hf_state_dict().items()}
    save_safetensors(os.path.join(a.out, "model.safetensors"), sd16, {"format": "pt"})
    model.load_hf_state_dict({k: v.float() for k, v in sd16.items()})
    val_nll = evaluate()
    json.dump(config, open(os.path.join(a.out, "config.json"), "w"), indent=2)
    n_params = sum(p.numel() for p in model.parameters())
    summary = {"parameters": n_params, "steps": steps, "batch": a.batch, "train_minutes": round(minutes, 1), "threads": a.threads, nll_key: round(val_nll, 4), "log": log}
    json.dump(summary, open(os.path.join(HERE, f"{name}.train_log.json"), "w"), indent=1)
    print(f"done: {steps} steps in {minutes:.1f} min, validation NLL {val_nll:.4f}", flush=True)
    return val_nll
