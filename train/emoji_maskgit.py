"""emoji-maskgit: a class-conditional bidirectional transformer over the 8×8×4 RVQ token grid of
emoji-rvq, trained with MaskGIT's masked-token objective (Chang et al. 2022), depth-aware.

Token layout (also in the model card): a sequence index is i = (y · 8 + x) · 4 + d, position-major in
raster order, d = 0 the coarsest RVQ depth; ids 0…255 are codes, 256 = masked.

Architecture (train/gpt2.py's pre-LayerNorm blocks, without the causal mask), one transformer token per grid
position (64 tokens), not per (position, depth):
  h_p = Σ_d wte_d[tok(p, d)] + wpe[p] + class_embedding[c]          # [64, C]; wte_d has 257 rows
  h = blocks(h) ; logits(p, d, :) = (ln_f(h) @ head.weight + head.bias)[p, d·256 : (d+1)·256]
Class id `num_classes` is the null class (classifier-free guidance; dropped with p = 0.1 in training).

Masking in training respects depth order: per position, four sorted uniforms give a score rising with
depth; the n = ceil(cos(π/2 · r) · 256) highest scores are masked (r ~ U(0, 1)), so a finer depth is
masked whenever a coarser one is, as at sampling time (src/samplers/maskgit.ts fixes coarser depths first).
Loss: cross-entropy on masked tokens.

Tensor names (Conv1D layout [in, out] like GPT-2): wte.{d}.weight, wpe.weight, class_embedding.weight,
h.{i}.{ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj}.{weight, bias}, ln_f.*, head.*.

Usage: /usr/bin/python3 train/emoji_maskgit.py OUT_DIR [--minutes M] [--threads N]
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from gpt2 import Block, PublishedWeights, block_params
from image_token_training import export, load_tokens, parse_args, train

@dataclass
class MaskGitConfig:
    num_classes: int = 99  # emoji subcategories; id num_classes = null class
    codebook_size: int = 256  # RVQ codes per depth; id codebook_size = mask
    num_quantizers: int = 4  # RVQ depths per position
    n_positions: int = 64  # 8×8 grid
    n_embd: int = 192  # width
    n_layer: int = 6  # blocks
    n_head: int = 6  # heads (head dim 32)
    layer_norm_epsilon: float = 1e-5


class MaskGit(PublishedWeights, nn.Module):
    def __init__(self, c: MaskGitConfig):
        super().__init__()
        self.config = c
        self.wte = nn.ModuleList(nn.Embedding(c.codebook_size + 1, c.n_embd) for _ in range(c.num_quantizers))
        self.wpe = nn.Embedding(c.n_positions, c.n_embd)
        self.class_embedding = nn.Embedding(c.num_classes + 1, c.n_embd)
        self.h = nn.ModuleList(Block(c, causal=False) for _ in range(c.n_layer))
        self.ln_f = nn.LayerNorm(c.n_embd, eps=c.layer_norm_epsilon)
        self.head = nn.Linear(c.n_embd, c.num_quantizers * c.codebook_size)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)
        for b in self.h:
            for p in (b.attn_proj.weight, b.mlp_proj.weight):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * c.n_layer))

    def forward(self, seq: torch.Tensor, cls: torch.Tensor) -> torch.Tensor:
        """seq [B, P·D] (layout above, 256 = masked), cls [B] → logits [B, P·D, K]."""
        c = self.config
        B = seq.shape[0]
        tok = seq.view(B, c.n_positions, c.num_quantizers)  # [B, P, D]
        x = sum(self.wte[d](tok[:, :, d]) for d in range(c.num_quantizers))  # [B, P, C]
        x = x + self.wpe.weight[None] + self.class_embedding(cls)[:, None]
        for b in self.h:
            x = b(x)
        logits = self.head(self.ln_f(x))  # [B, P, D·K]
        return logits.view(B, c.n_positions * c.num_quantizers, c.codebook_size)

    def published_params(self):
        for d, e in enumerate(self.wte):
            yield f"wte.{d}.weight", e.weight, False
        yield "wpe.weight", self.wpe.weight, False
        yield "class_embedding.weight", self.class_embedding.weight, False
        yield from block_params(self.h)
        yield "ln_f.weight", self.ln_f.weight, False
        yield "ln_f.bias", self.ln_f.bias, False
        yield "head.weight", self.head.weight, True
        yield "head.bias", self.head.bias, False


def depth_aware_mask(B: int, P: int, D: int) -> torch.Tensor:
    """[B, P·D] bool: a cosine-scheduled share of tokens masked, finer depths before coarser ones."""
    score = torch.rand(B, P, D).sort(dim=2).values.view(B, P * D)  # rises with depth in each position
    r = torch.rand(B, 1)
    n = torch.ceil(torch.cos(math.pi / 2 * r) * P * D).clamp(min=1)  # [B, 1] tokens to mask
    rank = score.argsort(dim=1, descending=True).argsort(dim=1)  # 0 = highest score
    return rank < n


def hf_config(c: MaskGitConfig, classes: list[str]) -> dict:
    return {
        "architectures": ["StepwiseMaskGit"],
        "model_type": "stepwise-maskgit",
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
def evaluate(model: MaskGit, seq: torch.Tensor, cls: torch.Tensor) -> float:
    """Mean masked-token NLL (nats) over the validation set, with a fixed masking draw."""
    model.eval()
    g = torch.random.get_rng_state()
    torch.manual_seed(0)
    total, count = 0.0, 0
    c = model.config
    for i in range(0, len(seq), 128):
        s, k = seq[i : i + 128], cls[i : i + 128]
        m = depth_aware_mask(len(s), c.n_positions, c.num_quantizers)
        logits = model(s.masked_fill(m, c.codebook_size), k)
        total += F.cross_entropy(logits[m], s[m], reduction="sum").item()
        count += int(m.sum())
    torch.random.set_rng_state(g)
    model.train()
    return total / count


def main() -> None:
    a = parse_args(seed=7)
    data = load_tokens()
    model = MaskGit(MaskGitConfig(num_classes=len(data.classes)))
    cfg = model.config

    def batch_loss(s: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        m = depth_aware_mask(len(s), cfg.n_positions, cfg.num_quantizers)
        logits = model(s.masked_fill(m, cfg.codebook_size), k)
        return F.cross_entropy(logits[m], s[m])

    def validate() -> float:
        return evaluate(model, data.val_seq, data.val_cls)

    trained = train(model, data, a, batch_loss, validate)
    export(model, a, hf_config(cfg, data.classes), validate, "emoji-maskgit", "val_masked_nll", trained)


if __name__ == "__main__":
    main()
