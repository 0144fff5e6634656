"""RVQ tokens of every emoji image, for the generators (emoji_maskgit.py, emoji_ar.py).

Encodes each image and its mirror image with the trained tokenizer (train/runs/emoji-rvq.pt, the
codebooks rounded to f16 as shipped) and stores them in the generators' sequence layout:

  index = (y · 8 + x) · 4 + depth        (position-major, raster order; depth 0 is the coarsest)

Usage: /usr/bin/python3 train/emoji_tokens.py → train/runs/emoji_tokens.npz with
seq int64 [2N, 256] (originals, then mirrors), codes int16 [2N, 4, 8, 8], labels [2N], split [2N] (True = validation), classes.
"""

from __future__ import annotations

import os

import numpy as np
import torch

import emoji_data
from emoji_rvq import CONFIG, RUNS, Tokenizer, to_input

OUT = os.path.join(RUNS, "emoji_tokens.npz")


def to_sequence(codes: torch.Tensor) -> torch.Tensor:
    """codes [N, D, H, W] → [N, H·W·D] in the position-major layout."""
    n, d, h, w = codes.shape
    return codes.permute(0, 2, 3, 1).reshape(n, h * w * d)


def from_sequence(seq: torch.Tensor, side: int = 8, depths: int = 4) -> torch.Tensor:
    """[N, H·W·D] → codes [N, D, H, W]."""
    return seq.reshape(-1, side, side, depths).permute(0, 3, 1, 2)


def load_tokenizer() -> Tokenizer:
    model = Tokenizer(CONFIG)
    model.load_state_dict(torch.load(os.path.join(RUNS, "emoji-rvq.pt")))
    with torch.no_grad():
        model.quantizer.codebooks.copy_(model.quantizer.codebooks.half().float())
        for p in model.decoder.parameters():
            p.copy_(p.half().float())
    return model.eval()


def main() -> None:
    data = emoji_data.load()
    model = load_tokenizer()
    x = to_input(data["images"])
    seqs = []
    with torch.no_grad():
        for imgs in (x, x.flip(3)):
            codes = torch.cat([model(imgs[i : i + 256])[1] for i in range(0, len(imgs), 256)])
            seqs.append(to_sequence(codes))
    np.savez_compressed(
        OUT,
        seq=torch.cat(seqs).numpy().astype(np.int64),
        codes=from_sequence(torch.cat(seqs)).numpy().astype(np.int16),  # [2N, D, H, W]
        labels=np.concatenate([data["labels"]] * 2),
        split=np.concatenate([data["split"]] * 2),
        classes=data["classes"],
    )
    print(f"{2 * len(x)} token sequences → {OUT}")


if __name__ == "__main__":
    main()
