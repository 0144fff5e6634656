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

from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from gpt2 import Block, PublishedWeights, block_params
from image_token_training import export, load_tokens, parse_args, train

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


class ArModel(PublishedWeights, nn.Module):
    def __init__(self, c: ArConfig):
        super().__init__()
        self.config = c
        C, K, D = c.n_embd, c.codebook_size, c.num_quantizers
        self.class_embedding = nn.Embedding(c.num_classes + 1, C)
        self.wte = nn.ModuleList(nn.Embedding(K, C) for _ in range(D))
        self.wpe = nn.Embedding(c.n_positions, C)
        self.h = nn.ModuleList(Block(c) for _ in range(c.n_layer))
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

    def published_params(self):
        """(published name, parameter, published as its transpose) in the order of hf_state_dict."""
        yield "class_embedding.weight", self.class_embedding.weight, False
        yield "wpe.weight", self.wpe.weight, False
        for d, e in enumerate(self.wte):
            yield f"wte.{d}.weight", e.weight, False
        yield from block_params(self.h)
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
    a = parse_args(seed=11)
    data = load_tokens()
    model = ArModel(ArConfig(num_classes=len(data.classes)))
    cfg = model.config

    def batch_loss(s: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(model(s, k).reshape(-1, cfg.codebook_size), s.reshape(-1))

    def validate() -> float:
        return evaluate(model, data.val_seq, data.val_cls)

    trained = train(model, data, a, batch_loss, validate)
    export(model, a, hf_config(cfg, data.classes), validate, "emoji-ar", "val_nll", trained)


if __name__ == "__main__":
    main()
