"""emoji-ar: a class-conditional autoregressive transformer over the RVQ token grid of emoji-rvq,
raster order over grid positions with a KV cache over positions; the 4 depths of a position are
predicted in order, coarse to fine, by a small depth head (RQ-Transformer style: Lee et al. 2022,
with the depth transformer reduced to an MLP over summed embeddings).

Token layout (also in the model card): image token i = (y · 8 + x) · 4 + d, d = 0 the coarsest depth;
ids 0…255 are codes (256 = masked, never produced). Class `num_classes` is the null class
(classifier-free guidance; dropped with p = 0.1 in training).

Architecture, for a grid of P positions (slots s = 0 … P−1; slot s predicts position s):
  x_0 = class_embedding[c] + wpe[0];  x_s = Σ_d wte_d[code(s−1, d)] + wpe[s]   (s ≥ 1)
  h = ln_f(causal GPT-2 blocks(x))                                                  # [P, C]
  depth d of position s:  u = h_s + Σ_{d' < d} depth_embedding_{d'}[code(s, d')]
                          v = u + depth_mlp.c_proj(gelu(depth_mlp.c_fc(depth_mlp.ln(u))))
                          logits = depth_head_d(v)                                  # [K]
Blocks are GPT-2's (pre-LayerNorm, GELU-tanh MLP of 4·width, Conv1D weights [in, out]).
Tensor names: class_embedding.weight, wte.{d}.weight, wpe.weight, h.{i}.{ln_1, attn.c_attn, attn.c_proj,
ln_2, mlp.c_fc, mlp.c_proj}.{weight, bias}, ln_f.*, depth_embedding.{d}.weight (d < D−1),
depth_mlp.{ln, c_fc, c_proj}.*, depth_head.{d}.{weight [C, K], bias}.

Usage: /usr/bin/python3 train/emoji_ar.py OUT_DIR [--minutes M] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from emoji_maskgit import Block
from safetensors_io import save_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "runs")


@dataclass
class ArConfig:
    num_classes: int = 99  # emoji subcategories; id num_classes = null class
    codebook_size: int = 256  # RVQ codes per depth
    num_quantizers: int = 4  # RVQ depths per position
    n_positions: int = 64  # 8×8 grid
    n_embd: int = 192  # width
    n_layer: int = 6  # blocks
    n_head: int = 6  # heads (head dim 32)
    layer_norm_epsilon: float = 1e-5


class CausalBlock(Block):
    """GPT-2 block with the causal mask (emoji_maskgit.Block is bidirectional)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(q.size(-1))  # [B, H, T, T]
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        y = (att.masked_fill(~mask, float("-inf")).softmax(-1) @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.attn_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class ArModel(nn.Module):
    def __init__(self, c: ArConfig):
        super().__init__()
        self.config = c
        C, K, D = c.n_embd, c.codebook_size, c.num_quantizers
        self.class_embedding = nn.Embedding(c.num_classes + 1, C)
        self.wte = nn.ModuleList(nn.Embedding(K, C) for _ in range(D))
        self.wpe = nn.Embedding(c.n_positions, C)
        self.h = nn.ModuleList(CausalBlock(c) for _ in range(c.n_layer))
        self.ln_f = nn.LayerNorm(C, eps=c.layer_norm_epsilon)
        self.depth_embedding = nn.ModuleList(nn.Embedding(K, C) for _ in range(D - 1))
        self.depth_ln = nn.LayerNorm(C, eps=c.layer_norm_epsilon)
        self.depth_fc = nn.Linear(C, 4 * C)
        self.depth_proj = nn.Linear(4 * C, C)
        self.depth_head = nn.ModuleList(nn.Linear(C, K) for _ in range(D))
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def hidden(self, codes: torch.Tensor, cls: torch.Tensor) -> torch.Tensor:
        """codes [B, P, D], cls [B] → h [B, P, C] (slot s sees the class and positions < s)."""
        B, P, D = codes.shape
        prev = sum(self.wte[d](codes[:, :-1, d]) for d in range(D))  # [B, P−1, C]
        x = torch.cat([self.class_embedding(cls)[:, None], prev], 1) + self.wpe.weight[None, :P]
        for b in self.h:
            x = b(x)
        return self.ln_f(x)

    def depth_logits(self, h: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
        """h [..., C], codes [..., D] (coarser depths of the same position) → logits [..., D, K]."""
        out = []
        u = h
        for d in range(self.config.num_quantizers):
            if d > 0:
                u = u + self.depth_embedding[d - 1](codes[..., d - 1])
            v = u + self.depth_proj(F.gelu(self.depth_fc(self.depth_ln(u)), approximate="tanh"))
            out.append(self.depth_head[d](v))
        return torch.stack(out, -2)

    def forward(self, seq: torch.Tensor, cls: torch.Tensor) -> torch.Tensor:
        """seq [B, P·D] (teacher forcing) → logits [B, P·D, K] in the same layout."""
        c = self.config
        codes = seq.view(-1, c.n_positions, c.num_quantizers)
        logits = self.depth_logits(self.hidden(codes, cls), codes)  # [B, P, D, K]
        return logits.reshape(seq.shape[0], -1, c.codebook_size)

    def hf_state_dict(self) -> dict[str, torch.Tensor]:
        """Weights under the published names; linear weights in Conv1D layout [in, out]."""
        return {k: (p.T if t else p).detach().contiguous() for k, p, t in self.published_params()}

    def load_hf_state_dict(self, sd: dict[str, torch.Tensor]) -> None:
        """The inverse of hf_state_dict (Conv1D-layout weights transposed back)."""
        with torch.no_grad():
            for name, param, transpose in self.published_params():
                param.copy_(sd[name].T if transpose else sd[name])

    def published_params(self):
        """(published name, parameter, published as its transpose) in the order of hf_state_dict."""
        yield "class_embedding.weight", self.class_embedding.weight, False
        yield "wpe.weight", self.wpe.weight, False
        for d, e in enumerate(self.wte):
            yield f"wte.{d}.weight", e.weight, False
        for i, b in enumerate(self.h):
            for name, mod, transpose in block_modules(b):
                yield f"h.{i}.{name}.weight", mod.weight, transpose
                yield f"h.{i}.{name}.bias", mod.bias, False
        yield "ln_f.weight", self.ln_f.weight, False
        yield "ln_f.bias", self.ln_f.bias, False
        for d, e in enumerate(self.depth_embedding):
            yield f"depth_embedding.{d}.weight", e.weight, False
        for name, mod, transpose in (("ln", self.depth_ln, False), ("c_fc", self.depth_fc, True), ("c_proj", self.depth_proj, True)):
            yield f"depth_mlp.{name}.weight", mod.weight, transpose
            yield f"depth_mlp.{name}.bias", mod.bias, False
        for d, head in enumerate(self.depth_head):
            yield f"depth_head.{d}.weight", head.weight, True
            yield f"depth_head.{d}.bias", head.bias, False


def block_modules(b: Block):
    return (
        ("ln_1", b.ln_1, False), ("attn.c_attn", b.c_attn, True), ("attn.c_proj", b.attn_proj, True),
        ("ln_2", b.ln_2, False), ("mlp.c_fc", b.c_fc, True), ("mlp.c_proj", b.mlp_proj, True),
    )


def hf_config(c: ArConfig, classes: list[str]) -> dict:
    return {
        "architectures": ["StepwiseArImage"],
        "model_type": "stepwise-ar",
        **asdict(c),
        "torch_dtype": "float16",
        "stepwise": {
            "task": "class-to-image",
            "mask_token_id": c.codebook_size,
            "class_names": classes,
            "tokenizer_model": "emoji-rvq",
            "token_layout": "index = (y * 8 + x) * 4 + depth; depth 0 coarsest; 256 = masked",
        },
    }


@torch.no_grad()
def evaluate(model: ArModel, seq: torch.Tensor, cls: torch.Tensor) -> float:
    """Mean next-token NLL (nats) over the validation sequences."""
    model.eval()
    total = 0.0
    for i in range(0, len(seq), 128):
        s = seq[i : i + 128]
        logits = model(s, cls[i : i + 128])
        total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), s.reshape(-1), reduction="sum").item()
    model.train()
    return total / seq.numel()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--minutes", type=float, default=40)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    z = np.load(os.path.join(RUNS, "emoji_tokens.npz"))
    seq, labels, split = torch.from_numpy(z["seq"]), torch.from_numpy(z["labels"]), torch.from_numpy(z["split"])
    classes = [str(c) for c in z["classes"]]
    tr_seq, tr_cls, va_seq, va_cls = seq[~split], labels[~split], seq[split], labels[split]
    cfg = ArConfig(num_classes=len(classes))
    model = ArModel(cfg)
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
        s, k = tr_seq[idx], tr_cls[idx]
        k = torch.where(torch.rand(a.batch) < 0.1, torch.full_like(k, cfg.num_classes), k)  # CFG dropout
        logits = model(s, k)
        loss = F.cross_entropy(logits.reshape(-1, cfg.codebook_size), s.reshape(-1))
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
    model.load_hf_state_dict({k: v.float() for k, v in sd16.items()})  # evaluate as shipped
    val_nll = evaluate(model, va_seq, va_cls)
    json.dump(hf_config(cfg, classes), open(os.path.join(a.out, "config.json"), "w"), indent=2)
    summary = {"parameters": n_params, "steps": step, "batch": a.batch, "train_minutes": round(minutes, 1), "threads": a.threads, "val_nll": round(val_nll, 4), "log": log}
    json.dump(summary, open(os.path.join(HERE, "emoji-ar.train_log.json"), "w"), indent=1)
    print(f"done: {step} steps in {minutes:.1f} min, validation NLL {val_nll:.4f}", flush=True)


if __name__ == "__main__":
    main()
