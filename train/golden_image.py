"""Golden fixtures for the image-token generators, from the PyTorch implementations.

For each model: S token sequences with a class each, and the model's logits, written to
FIXTURE_DIR/golden.safetensors as tokens i32 [S, L], classes i32 [S], logits f32 [S, L, K].
- MaskGIT (emoji_maskgit.MaskGit): tokens in the sequence layout with some masked (256), logits of the
  image head [S, P·D, K].
- AR (emoji_ar.ArModel): every code known (teacher forcing), logits [S, P·D, K] in the same layout.

Models: the shipped public/models/emoji-{maskgit,ar} (f16 weights, evaluated in f32), and tiny random
ones (written with their config next to the golden file) for fast tests.

Usage: /usr/bin/python3 train/golden_image.py [--tiny] [--shipped]
"""

from __future__ import annotations

import argparse
import json
import os

import torch

from emoji_ar import ArConfig, ArModel, hf_config as ar_config
from emoji_maskgit import MaskGit, MaskGitConfig, depth_aware_mask, hf_config as maskgit_config
from safetensors_io import load_safetensors, save_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(ROOT, "src", "models", "fixtures")
MODELS = os.path.join(ROOT, "public", "models")


def save_golden(folder: str, tokens: torch.Tensor, classes: torch.Tensor, logits: torch.Tensor) -> None:
    os.makedirs(folder, exist_ok=True)
    save_safetensors(
        os.path.join(folder, "golden.safetensors"),
        {"tokens": tokens.to(torch.int32), "classes": classes.to(torch.int32), "logits": logits.float().contiguous()},
    )
    print(f"{folder}: tokens {list(tokens.shape)}, logits {list(logits.shape)}")


def maskgit_golden(model: MaskGit, folder: str, samples: int, seed: int) -> None:
    c = model.config
    g = torch.Generator().manual_seed(seed)
    seq = torch.randint(0, c.codebook_size, (samples, c.n_positions * c.num_quantizers), generator=g)
    torch.manual_seed(seed)
    mask = depth_aware_mask(samples, c.n_positions, c.num_quantizers)
    mask[0] = True  # one sequence fully masked (the first step of sampling)
    seq = seq.masked_fill(mask, c.codebook_size)
    cls = torch.randint(0, c.num_classes + 1, (samples,), generator=g)
    cls[-1] = c.num_classes  # one with the null class (guidance)
    with torch.no_grad():
        logits = model(seq, cls)
    save_golden(folder, seq, cls, logits)


def ar_golden(model: ArModel, folder: str, samples: int, seed: int) -> None:
    c = model.config
    g = torch.Generator().manual_seed(seed)
    seq = torch.randint(0, c.codebook_size, (samples, c.n_positions * c.num_quantizers), generator=g)
    cls = torch.randint(0, c.num_classes + 1, (samples,), generator=g)
    cls[-1] = c.num_classes  # one with the null class (guidance)
    with torch.no_grad():
        logits = model(seq, cls)
    save_golden(folder, seq, cls, logits)


def write_tiny(model: torch.nn.Module, folder: str, config: dict) -> None:
    """Rounds the weights to f16 (as shipped), saves them and the config."""
    os.makedirs(folder, exist_ok=True)
    sd = half_roundtrip(model.hf_state_dict())
    model.load_hf_state_dict(sd)
    save_safetensors(os.path.join(folder, "model.safetensors"), {k: v.half() for k, v in sd.items()}, {"format": "pt"})
    config["stepwise"]["tokenizer_model"] = "tiny-rvq"
    json.dump(config, open(os.path.join(folder, "config.json"), "w"), indent=2)


def half_roundtrip(sd: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.half().float() for k, v in sd.items()}


def tiny() -> None:
    torch.manual_seed(3)
    classes = ["alpha", "beta", "gamma"]
    # 4×4 grid, 2 depths of 16 codes, 2 blocks of width 32; weights larger than the training init,
    # so that every term shows in the logits.
    shape = dict(num_classes=3, codebook_size=16, num_quantizers=2, n_positions=16, n_embd=32, n_layer=2, n_head=4)
    m = MaskGit(MaskGitConfig(**shape))
    for p in m.parameters():
        p.data.normal_(0, 0.3)
    folder = os.path.join(FIXTURES, "tiny-maskgit")
    write_tiny(m, folder, maskgit_config(m.config, classes))
    maskgit_golden(m, folder, 4, 5)

    a = ArModel(ArConfig(**shape))
    for p in a.parameters():
        p.data.normal_(0, 0.3)
    folder = os.path.join(FIXTURES, "tiny-image-ar")
    write_tiny(a, folder, ar_config(a.config, classes))
    ar_golden(a, folder, 3, 9)


def shipped() -> None:
    folder = os.path.join(MODELS, "emoji-maskgit")
    cfg = json.load(open(os.path.join(folder, "config.json")))
    fields = {k: cfg[k] for k in MaskGitConfig.__dataclass_fields__}
    m = MaskGit(MaskGitConfig(**fields))
    m.load_hf_state_dict({k: v.float() for k, v in load_safetensors(os.path.join(folder, "model.safetensors")).items()})
    m.eval()
    maskgit_golden(m, os.path.join(FIXTURES, "emoji-maskgit"), 3, 21)

    folder = os.path.join(MODELS, "emoji-ar")
    cfg = json.load(open(os.path.join(folder, "config.json")))
    a = ArModel(ArConfig(**{k: cfg[k] for k in ArConfig.__dataclass_fields__}))
    a.load_hf_state_dict({k: v.float() for k, v in load_safetensors(os.path.join(folder, "model.safetensors")).items()})
    a.eval()
    ar_golden(a, os.path.join(FIXTURES, "emoji-ar"), 2, 23)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiny", action="store_true")
    ap.add_argument("--shipped", action="store_true")
    a = ap.parse_args()
    if a.tiny:
        tiny()
    if a.shipped:
        shipped()
