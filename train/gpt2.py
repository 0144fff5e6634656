"""brown-gpt2: a small GPT-2 trained on the Brown corpus; exported in Hugging Face GPT-2 layout.

Architecture (Radford et al. 2019, as in HF GPT2LMHeadModel): learned positions, pre-LayerNorm
blocks, GELU-tanh MLP of 4·width, tied LM head. Tensor names and layout are the real GPT-2 ones
(no prefix): wte.weight, wpe.weight, h.{i}.ln_1.{weight,bias}, h.{i}.attn.c_attn.{weight,bias}
(Conv1D, weight [in, out] = transpose of nn.Linear's), h.{i}.attn.c_proj.*, h.{i}.ln_2.*,
h.{i}.mlp.c_fc.*, h.{i}.mlp.c_proj.*, ln_f.*.

Usage: /usr/bin/python3 train/gpt2.py OUT_DIR [--minutes M] [--threads N]
Writes OUT_DIR/{config.json, model.safetensors (f16), train_log.json}.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from bpe_encode import BpeEncoder
from brown_text import documents, split_files
from safetensors_io import save_safetensors


@dataclass
class GPT2Config:
    vocab_size: int = 4096  # byte-level BPE of bpe_tokenizer.py
    n_positions: int = 256  # context length
    n_embd: int = 256  # width
    n_layer: int = 6  # blocks
    n_head: int = 8  # attention heads (head dim 32)
    layer_norm_epsilon: float = 1e-5


class Block(nn.Module):
    """Pre-LayerNorm attention + GELU-tanh MLP; `causal` False for the bidirectional image model."""

    def __init__(self, c: GPT2Config, causal: bool = True):
        super().__init__()
        self.n_head = c.n_head
        self.causal = causal
        self.ln_1 = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)
        self.c_attn = nn.Linear(c.n_embd, 3 * c.n_embd)
        self.attn_proj = nn.Linear(c.n_embd, c.n_embd)
        self.ln_2 = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)
        self.c_fc = nn.Linear(c.n_embd, 4 * c.n_embd)
        self.mlp_proj = nn.Linear(4 * c.n_embd, c.n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape  # [B, T, C]
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))  # [B, H, T, D]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1))  # [B, H, T, T]
        if self.causal:
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
            att = att.masked_fill(~mask, float("-inf"))
        att = att.softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)  # [B, T, C]
        x = x + self.attn_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


def block_modules(b: Block):
    """(published name, module, published as the transpose) of a block's parts: Conv1D weights are [in, out]."""
    return (
        ("ln_1", b.ln_1, False), ("attn.c_attn", b.c_attn, True), ("attn.c_proj", b.attn_proj, True),
        ("ln_2", b.ln_2, False), ("mlp.c_fc", b.c_fc, True), ("mlp.c_proj", b.mlp_proj, True),
    )


def block_params(h: nn.ModuleList):
    """(published name, parameter, stored transposed) of every block: h.{i}.<part>.{weight, bias}."""
    for i, b in enumerate(h):
        for name, mod, transpose in block_modules(b):
            yield f"h.{i}.{name}.weight", mod.weight, transpose
            yield f"h.{i}.{name}.bias", mod.bias, False


class PublishedWeights:
    """hf_state_dict / load_hf_state_dict of a model that lists its tensors in published_params():
    (published name, parameter, stored as the parameter's transpose — Conv1D layout [in, out])."""

    def published_params(self):
        raise NotImplementedError

    def hf_state_dict(self) -> dict[str, torch.Tensor]:
        return {k: (p.T if t else p).detach().contiguous() for k, p, t in self.published_params()}

    def load_hf_state_dict(self, sd: dict[str, torch.Tensor]) -> None:
        with torch.no_grad():
            for k, p, t in self.published_params():
                p.copy_(sd[k].T if t else sd[k])


class GPT2(PublishedWeights, nn.Module):
    def __init__(self, c: GPT2Config):
        super().__init__()
        self.config = c
        self.wte = nn.Embedding(c.vocab_size, c.n_embd)
        self.wpe = nn.Embedding(c.n_positions, c.n_embd)
        self.h = nn.ModuleList(Block(c) for _ in range(c.n_layer))
        self.ln_f = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)
        self.apply(self._init)
        for b in self.h:  # GPT-2's scaled init of residual projections
            for p in (b.attn_proj.weight, b.mlp_proj.weight):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * c.n_layer))

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(T, device=idx.device))  # [B, T, C]
        for b in self.h:
            x = b(x)
        return self.ln_f(x) @ self.wte.weight.T  # [B, T, V]

    def published_params(self):
        """Hugging Face GPT-2 names, Conv1D weights as [in, out]."""
        yield "wte.weight", self.wte.weight, False
        yield "wpe.weight", self.wpe.weight, False
        yield from block_params(self.h)
        yield "ln_f.weight", self.ln_f.weight, False
        yield "ln_f.bias", self.ln_f.bias, False


def hf_config(c: GPT2Config, eos: int) -> dict:
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "vocab_size": c.vocab_size,
        "n_positions": c.n_positions,
        "n_ctx": c.n_positions,
        "n_embd": c.n_embd,
        "n_layer": c.n_layer,
        "n_head": c.n_head,
        "n_inner": None,
        "activation_function": "gelu_new",
        "layer_norm_epsilon": c.layer_norm_epsilon,
        "bos_token_id": eos,
        "eos_token_id": eos,
        "tie_word_embeddings": True,
        "torch_dtype": "float16",
        "stepwise": {"task": "text-generation"},
    }


def token_stream(enc: BpeEncoder, names: list[str]) -> torch.Tensor:
    eos = enc.specials["<|endoftext|>"]
    ids: list[int] = []
    for doc in documents(names):
        ids.extend(enc.encode(doc))
        ids.append(eos)
    return torch.tensor(ids, dtype=torch.long)


@torch.no_grad()
def evaluate(model: GPT2, data: torch.Tensor, ctx: int) -> float:
    """Mean next-token NLL (nats) over non-overlapping windows of ctx+1 tokens."""
    model.eval()
    n = (len(data) - 1) // ctx
    windows = torch.stack([data[i * ctx : i * ctx + ctx + 1] for i in range(n)])
    total, count = 0.0, 0
    for i in range(0, n, 16):
        w = windows[i : i + 16]
        logits = model(w[:, :-1])
        total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), w[:, 1:].reshape(-1), reduction="sum").item()
        count += w[:, 1:].numel()
    model.train()
    return total / count


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--minutes", type=float, default=40)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1337)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    enc = BpeEncoder(args.tokenizer)
    train_names, val_names = split_files()
    train_ids, val_ids = token_stream(enc, train_names), token_stream(enc, val_names)
    print(f"train {len(train_ids):,} tokens, validation {len(val_ids):,} tokens", flush=True)

    cfg = GPT2Config()
    model = GPT2(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{n_params:,} parameters", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))

    ctx, budget = cfg.n_positions, args.minutes * 60
    t0 = time.time()
    step, total_steps, warmup = 0, None, 100
    log = []
    while True:
        elapsed = time.time() - t0
        if step == 20:  # fix the schedule length from the measured speed
            total_steps = int(budget / (elapsed / 20))
            print(f"{elapsed / 20:.2f} s/step → {total_steps} steps", flush=True)
        if total_steps is not None and step >= total_steps:
            break
        horizon = total_steps or 10**9
        lr = args.lr * min(1.0, (step + 1) / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, step / horizon))))
        for g in opt.param_groups:
            g["lr"] = lr
        starts = torch.randint(0, len(train_ids) - ctx - 1, (args.batch,))
        batch = torch.stack([train_ids[s : s + ctx + 1] for s in starts])  # [B, T+1]
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, cfg.vocab_size), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 50 == 0:
            print(f"step {step} loss {loss.item():.3f} lr {lr:.2e} {elapsed / 60:.1f} min", flush=True)
            log.append({"step": step, "loss": loss.item(), "minutes": elapsed / 60})
        step += 1

    train_minutes = (time.time() - t0) / 60
    # Export in f16, then evaluate the model exactly as shipped (f16 weights, f32 compute).
    sd16 = {k: v.half() for k, v in model.hf_state_dict().items()}
    save_safetensors(os.path.join(args.out, "model.safetensors"), sd16, {"format": "pt"})
    model.load_hf_state_dict({k: v.float() for k, v in sd16.items()})
    val_nll = evaluate(model, val_ids, ctx)
    eos = enc.specials["<|endoftext|>"]
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(hf_config(cfg, eos), f, indent=2)
    summary = {
        "parameters": n_params,
        "steps": step,
        "batch": args.batch,
        "context": ctx,
        "tokens_seen": step * args.batch * ctx,
        "train_minutes": round(train_minutes, 1),
        "threads": args.threads,
        "train_tokens": len(train_ids),
        "val_tokens": len(val_ids),
        "val_nll": val_nll,
        "val_perplexity": math.exp(val_nll),
        "config": asdict(cfg),
        "log": log,
    }
    with open(os.path.join(args.out, "train_log.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"done: {step} steps in {train_minutes:.1f} min, validation NLL {val_nll:.3f}, perplexity {math.exp(val_nll):.1f}", flush=True)


if __name__ == "__main__":
    main()
