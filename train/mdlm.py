"""brown-mdlm: a small masked diffusion LM (MDLM, Sahoo et al. 2024) on the Brown corpus, exported in
the layout of the Hugging Face checkpoint kuleshov-group/mdlm-owt.

Backbone: MDLM's DDiT (kuleshov-group/mdlm models/dit.py, from SEDD): token embedding; per block
LayerNorm without bias → adaLN modulate (x·(1+scale)+shift) → qkv (no bias) → rotate-half RoPE on
q and k → bidirectional attention → attn_out (no bias) → gated residual; then the same for a 4× GELU-tanh
MLP with biases; adaLN_modulation(c) gives shift/scale/gate for attention and MLP. Final layer:
adaLN shift/scale, LayerNorm, biased linear head. c = SiLU(TimestepEmbedder(σ)), a 256-dim sinusoidal
embedding through a 2-layer MLP to cond_dim. With time_conditioning false, σ = 0 and c is constant.

Training: log-linear schedule σ(t) = −log(1 − (1−ε)t), ε = 1e-3, so a token is masked with
probability (1−ε)t; SUBS parameterisation (the mask token's logit is −∞; unmasked positions copy their
input); loss = E_t[(dσ/dt)/(e^σ − 1) · Σ_masked −log p(x₀|x_t)] = E_t[1/t · Σ_masked …] per token,
which is the NELBO (an upper bound on the NLL). t is drawn low-discrepancy (antithetic) per batch.

Tensor names (under "backbone."): vocab_embed.embedding, sigma_map.mlp.{0,2}.{weight,bias},
rotary_emb.inv_freq, blocks.{i}.{norm1.weight, attn_qkv.weight, attn_out.weight, norm2.weight,
mlp.0.{weight,bias}, mlp.2.{weight,bias}, adaLN_modulation.{weight,bias}},
output_layer.{norm_final.weight, linear.{weight,bias}, adaLN_modulation.{weight,bias}}.

Usage:
  mdlm.py train OUT_DIR --tokenizer T [--minutes M] [--threads N]
  mdlm.py golden MODEL_DIR            golden logits of a trained model (as shipped, f16 weights)
  mdlm.py tiny OUT_DIR                 tiny random copy with time_conditioning true + goldens
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_io import load_safetensors, save_safetensors

EPS = 1e-3  # log-linear schedule's ε


@dataclass
class MdlmConfig:
    vocab_size: int = 4096  # includes [MASK] = vocab_size − 1
    model_length: int = 256
    hidden_dim: int = 256
    cond_dim: int = 128
    n_blocks: int = 6
    n_heads: int = 8
    time_conditioning: bool = False


def timestep_embedding(t: torch.Tensor, dim: int = 256, max_period: float = 10000.0) -> torch.Tensor:
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=t.dtype) / half)
    args = t[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def layer_norm(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(x, [x.shape[-1]]) * w


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class Block(nn.Module):
    def __init__(self, c: MdlmConfig):
        super().__init__()
        d = c.hidden_dim
        self.n_heads = c.n_heads
        self.norm1 = nn.Parameter(torch.ones(d))
        self.attn_qkv = nn.Linear(d, 3 * d, bias=False)
        self.attn_out = nn.Linear(d, d, bias=False)
        self.norm2 = nn.Parameter(torch.ones(d))
        self.mlp0 = nn.Linear(d, 4 * d)
        self.mlp2 = nn.Linear(4 * d, d)
        self.ada = nn.Linear(c.cond_dim, 6 * d)
        nn.init.zeros_(self.ada.weight)
        nn.init.zeros_(self.ada.bias)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        B, T, D = x.shape
        shift1, scale1, gate1, shift2, scale2, gate2 = self.ada(c)[:, None].chunk(6, dim=2)  # each [B, 1, D]
        h = layer_norm(x, self.norm1) * (1 + scale1) + shift1
        q, k, v = self.attn_qkv(h).view(B, T, 3, self.n_heads, D // self.n_heads).unbind(2)  # [B, T, H, Dh]
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        att = torch.einsum("bthd,bshd->bhts", q, k) / math.sqrt(D // self.n_heads)
        y = torch.einsum("bhts,bshd->bthd", att.softmax(-1), v).reshape(B, T, D)
        x = x + gate1 * self.attn_out(y)
        h = layer_norm(x, self.norm2) * (1 + scale2) + shift2
        return x + gate2 * self.mlp2(F.gelu(self.mlp0(h), approximate="tanh"))


class DDiT(nn.Module):
    def __init__(self, c: MdlmConfig):
        super().__init__()
        self.config = c
        d = c.hidden_dim
        self.vocab_embed = nn.Parameter(torch.empty(c.vocab_size, d))
        nn.init.kaiming_uniform_(self.vocab_embed, a=math.sqrt(5))
        self.sigma_mlp0 = nn.Linear(256, c.cond_dim)
        self.sigma_mlp2 = nn.Linear(c.cond_dim, c.cond_dim)
        dh = d // c.n_heads
        self.register_buffer("inv_freq", 1.0 / (10000 ** (torch.arange(0, dh, 2).float() / dh)))
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.n_blocks))
        self.norm_final = nn.Parameter(torch.ones(d))
        self.linear = nn.Linear(d, c.vocab_size)
        self.ada_final = nn.Linear(c.cond_dim, 2 * d)
        for m in (self.linear, self.ada_final):
            nn.init.zeros_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, ids: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        """ids [B, T], sigma [B] → raw logits [B, T, V] (before SUBS)."""
        if not self.config.time_conditioning:
            sigma = torch.zeros_like(sigma)
        x = self.vocab_embed[ids]  # [B, T, D]
        c = F.silu(self.sigma_mlp2(F.silu(self.sigma_mlp0(timestep_embedding(sigma.to(x.dtype))))))  # [B, cond]
        T = ids.shape[1]
        ang = torch.arange(T, dtype=x.dtype)[:, None] * self.inv_freq.to(x.dtype)[None]  # [T, Dh/2]
        cos = torch.cat([ang.cos(), ang.cos()], -1)[None, :, None, :]  # [1, T, 1, Dh]
        sin = torch.cat([ang.sin(), ang.sin()], -1)[None, :, None, :]
        for b in self.blocks:
            x = b(x, cos, sin, c)
        shift, scale = self.ada_final(c)[:, None].chunk(2, dim=2)
        return self.linear(layer_norm(x, self.norm_final) * (1 + scale) + shift)

    def hf_state_dict(self) -> dict[str, torch.Tensor]:
        p = "backbone."
        sd = {
            p + "vocab_embed.embedding": self.vocab_embed,
            p + "sigma_map.mlp.0.weight": self.sigma_mlp0.weight,
            p + "sigma_map.mlp.0.bias": self.sigma_mlp0.bias,
            p + "sigma_map.mlp.2.weight": self.sigma_mlp2.weight,
            p + "sigma_map.mlp.2.bias": self.sigma_mlp2.bias,
            p + "rotary_emb.inv_freq": self.inv_freq,
        }
        for i, b in enumerate(self.blocks):
            q = f"{p}blocks.{i}."
            sd[q + "norm1.weight"] = b.norm1
            sd[q + "attn_qkv.weight"] = b.attn_qkv.weight
            sd[q + "attn_out.weight"] = b.attn_out.weight
            sd[q + "norm2.weight"] = b.norm2
            sd[q + "mlp.0.weight"], sd[q + "mlp.0.bias"] = b.mlp0.weight, b.mlp0.bias
            sd[q + "mlp.2.weight"], sd[q + "mlp.2.bias"] = b.mlp2.weight, b.mlp2.bias
            sd[q + "adaLN_modulation.weight"], sd[q + "adaLN_modulation.bias"] = b.ada.weight, b.ada.bias
        sd[p + "output_layer.norm_final.weight"] = self.norm_final
        sd[p + "output_layer.linear.weight"], sd[p + "output_layer.linear.bias"] = self.linear.weight, self.linear.bias
        sd[p + "output_layer.adaLN_modulation.weight"] = self.ada_final.weight
        sd[p + "output_layer.adaLN_modulation.bias"] = self.ada_final.bias
        return {k: v.detach().contiguous() for k, v in sd.items()}

    def load_hf_state_dict(self, sd: dict[str, torch.Tensor]) -> None:
        own = self.hf_state_dict()
        with torch.no_grad():
            for name, target in zip(own, self._targets()):
                target.copy_(sd[name].to(target.dtype))

    def _targets(self) -> list[torch.Tensor]:
        t = [self.vocab_embed, self.sigma_mlp0.weight, self.sigma_mlp0.bias, self.sigma_mlp2.weight, self.sigma_mlp2.bias, self.inv_freq]
        for b in self.blocks:
            t += [b.norm1, b.attn_qkv.weight, b.attn_out.weight, b.norm2, b.mlp0.weight, b.mlp0.bias, b.mlp2.weight, b.mlp2.bias, b.ada.weight, b.ada.bias]
        return t + [self.norm_final, self.linear.weight, self.linear.bias, self.ada_final.weight, self.ada_final.bias]


def hf_config(c: MdlmConfig) -> dict:
    return {
        "architectures": ["MDLM"],
        "model_type": "mdlm",
        "vocab_size": c.vocab_size,
        "model_length": c.model_length,
        "hidden_dim": c.hidden_dim,
        "cond_dim": c.cond_dim,
        "n_blocks": c.n_blocks,
        "n_heads": c.n_heads,
        "dropout": 0.0,
        "time_conditioning": c.time_conditioning,
        "stepwise": {"task": "text-diffusion", "mask_token_id": c.vocab_size - 1},
    }


def sigma_of(t: torch.Tensor) -> torch.Tensor:
    return -torch.log1p(-(1 - EPS) * t)


def nelbo(model: DDiT, x0: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Per-sequence NELBO summed over positions: x0 [B, T], t [B] in (0, 1]."""
    mask_id = model.config.vocab_size - 1
    move = (1 - EPS) * t  # masking probability
    masked = torch.rand(x0.shape) < move[:, None]
    xt = torch.where(masked, torch.full_like(x0, mask_id), x0)
    logits = model(xt, sigma_of(t))
    logits[..., mask_id] = -1e9  # SUBS: never predict the mask
    nll = F.cross_entropy(logits.transpose(1, 2), x0, reduction="none")  # [B, T]
    weight = (1 - EPS) / (1 - (1 - EPS) * t) / torch.expm1(sigma_of(t))  # dσ/dt / (e^σ − 1) = 1/t
    return (nll * masked).sum(1) * weight


def antithetic_t(b: int) -> torch.Tensor:
    return ((torch.rand(1) + torch.arange(b) / b) % 1) * (1 - 1e-5) + 1e-5


def train(args: argparse.Namespace) -> None:
    from bpe_encode import BpeEncoder
    from gpt2 import token_stream
    from brown_text import split_files

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    enc = BpeEncoder(args.tokenizer)
    tr, va = split_files()
    train_ids, val_ids = token_stream(enc, tr), token_stream(enc, va)
    cfg = MdlmConfig(n_blocks=args.blocks)
    model = DDiT(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{n_params:,} parameters; train {len(train_ids):,} tokens", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.0)
    L, budget, t0, step, total, log = cfg.model_length, args.minutes * 60, time.time(), 0, None, []
    while total is None or step < total:
        el = time.time() - t0
        if step == 10:
            total = int(budget / (el / 10))
            print(f"{el / 10:.2f} s/step → {total} steps", flush=True)
        lr = args.lr * min(1.0, (step + 1) / 200) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, step / (total or 1e9)))))
        for g in opt.param_groups:
            g["lr"] = lr
        starts = torch.randint(0, len(train_ids) - L, (args.batch,))
        x0 = torch.stack([train_ids[s : s + L] for s in starts])
        loss = nelbo(model, x0, antithetic_t(args.batch)).mean() / L
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 50 == 0:
            print(f"step {step} nelbo/token {loss.item():.3f} lr {lr:.2e} {el / 60:.1f} min", flush=True)
            log.append({"step": step, "loss": loss.item(), "minutes": el / 60})
        step += 1
    minutes = (time.time() - t0) / 60
    sd16 = {k: (v.half() if k.endswith("inv_freq") is False else v.float()) for k, v in model.hf_state_dict().items()}
    save_safetensors(os.path.join(args.out, "model.safetensors"), sd16, {"format": "pt"})
    model.load_hf_state_dict({k: v.float() for k, v in sd16.items()})
    bound = evaluate(model, val_ids, L)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(hf_config(cfg), f, indent=2)
    summary = {"parameters": n_params, "steps": step, "batch": args.batch, "train_minutes": round(minutes, 1), "threads": args.threads,
               "val_nelbo_per_token": bound, "val_perplexity_bound": math.exp(bound), "log": log}
    with open(os.path.join(args.out, "train_log.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"done: {step} steps in {minutes:.1f} min; validation NELBO {bound:.3f} nats/token, perplexity ≤ {math.exp(bound):.1f}", flush=True)


@torch.no_grad()
def evaluate(model: DDiT, data: torch.Tensor, L: int, samples: int = 8) -> float:
    """Validation NELBO per token: every window of L tokens, `samples` antithetic t values each."""
    model.eval()
    torch.manual_seed(0)
    n = len(data) // L
    windows = torch.stack([data[i * L : (i + 1) * L] for i in range(n)])
    total = 0.0
    for i in range(0, n, 8):
        x0 = windows[i : i + 8]
        for _ in range(samples):
            total += nelbo(model, x0, antithetic_t(len(x0))).sum().item()
    model.train()
    return total / (n * L * samples)


def golden(model_dir: str, out_dir: str | None = None) -> None:
    """golden.safetensors: tokens I32 [S, T] (with masks), sigma F32 [S], logits F32 [S, T, V] (raw)."""
    with open(os.path.join(model_dir, "config.json")) as f:
        raw = json.load(f)
    cfg = MdlmConfig(raw["vocab_size"], raw["model_length"], raw["hidden_dim"], raw["cond_dim"], raw["n_blocks"], raw["n_heads"], raw["time_conditioning"])
    model = DDiT(cfg)
    model.load_hf_state_dict({k: v.float() for k, v in load_safetensors(os.path.join(model_dir, "model.safetensors")).items()})
    model = model.double().eval()
    g = torch.Generator().manual_seed(3)
    T, V, mask = min(cfg.model_length, 40), cfg.vocab_size, cfg.vocab_size - 1
    seqs = torch.randint(0, V - 1, (2, T), generator=g)
    seqs[0, 5:25] = mask  # a masked span
    seqs[1, torch.randperm(T, generator=g)[: T // 2]] = mask  # scattered masks
    sigma = sigma_of(torch.tensor([0.5, 0.9], dtype=torch.float64))
    with torch.no_grad():
        logits = torch.stack([model(seqs[i : i + 1], sigma[i : i + 1])[0] for i in range(2)]).float()
    out = out_dir or model_dir
    save_safetensors(os.path.join(out, "golden.safetensors"), {"tokens": seqs.to(torch.int32), "sigma": sigma.float(), "logits": logits}, {"source": "train/mdlm.py golden"})
    print(f"{out}/golden.safetensors: tokens {list(seqs.shape)}, logits {list(logits.shape)}")


def tiny(out: str) -> None:
    cfg = MdlmConfig(vocab_size=97, model_length=48, hidden_dim=48, cond_dim=32, n_blocks=2, n_heads=4, time_conditioning=True)
    torch.manual_seed(11)
    model = DDiT(cfg)
    with torch.no_grad():  # the zero-initialised adaLN and head would make the golden test trivial
        for p in model.parameters():
            if p.dim() >= 1 and (p == 0).all():
                p.normal_(0, 0.05)
    os.makedirs(out, exist_ok=True)
    save_safetensors(os.path.join(out, "model.safetensors"), model.hf_state_dict(), {"format": "pt"})
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(hf_config(cfg), f, indent=2)
    golden(out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("out")
    t.add_argument("--tokenizer", required=True)
    t.add_argument("--minutes", type=float, default=40)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--blocks", type=int, default=6)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--seed", type=int, default=1337)
    gp = sub.add_parser("golden")
    gp.add_argument("model")
    tp = sub.add_parser("tiny")
    tp.add_argument("out")
    a = ap.parse_args()
    {"train": lambda: train(a), "golden": lambda: golden(a.model), "tiny": lambda: tiny(a.out)}[a.cmd]()
