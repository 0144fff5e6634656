"""Tiny TiTok checkpoints in the published layout, and golden outputs from the vendored reference.

  /usr/bin/python3 train/titok_golden.py

Writes two model folders under src/models/fixtures/, each with config.json (the nested training config
TiTok and ImageBert save, plus a `stepwise` key for the sizes the published code fixes), model.safetensors
(the modules' state-dict names, F16) and golden.safetensors:

tiny-titok (the tokenizer: TiTok-L-32's structure at 32×32 pixels, 8×8 patches, 32 tokens of 64 codes):
  decode_tokens  I32 [S, 32]          token ids; the last row has some ids = 64 (left out)
  decode_logits  F32 [S, G², Kp]      the ViT decoder's logits over the pixel codebook (G = 32 / 8)
  decode_images  F32 [S, 3, 32, 32]   decode_tokens(ids), not clamped; a left-out token's latent is 0
  encode_images  F32 [E, 3, 32, 32]   inputs in [0, 1]
  encode_latents F32 [E, 32, 12]      the encoder's output per token, before quantisation
  encode_tokens  I32 [E, 32]          the quantizer's ids (exact: every nearest code wins by ≥ MARGIN)
tiny-titok-generator (ImageBert over those 64 codes, 10 classes):
  logits_class   I32 [1]              the condition
  logits_scale   F32 [2]              the guidance scale of steps 0 and 1
  logits_ids     I32 [2, 32]          the tokens going into steps 0 and 1 (64 = masked)
  logits_cond    F32 [2, 32, 64]      conditional logits
  logits_uncond  F32 [2, 32, 64]      logits with the class dropped
  logits_guided  F32 [2, 32, 64]      cond + (cond − uncond) · scale (constant guidance)
  trajectory_{constant,linear,power_cosine}  I32 [steps, 32]  ids after each step of generate() at
      randomize_temperature 0 (no noise, so deterministic); with trajectory_settings F32 [3, 4]
      = (class, guidance_scale, num_steps, softmax_temperature_annealing) per row.
The references run in float64 on the F16-rounded weights, so the comparison measures only Stepwise.
"""

from __future__ import annotations

import copy
import json
import math
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from reference.titok.config import to_config  # noqa: E402
from reference.titok.maskgit import ImageBert  # noqa: E402
from reference.titok.titok import TiTok  # noqa: E402
from safetensors_io import save_safetensors  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(HERE), "src", "models", "fixtures")
MARGIN = 1e-3  # smallest gap allowed where a comparison decides an id (f32 vs f64 differ by ~1e-5)
CLASS_NAMES = ["tench", "goldfish", "shark", "cock", "hen", "ostrich", "finch", "junco", "bunting", "robin"]


def tiny_config(image_seq_len) -> dict:
    """titok_l32.yaml's fields at a tiny size; ViT and pixel-decoder sizes under `stepwise`."""
    return {
        "experiment": {
            "tokenizer_checkpoint": "tokenizer_tiny_titok.bin",
            "generator_checkpoint": "generator_tiny_titok.bin",
            "output_dir": "tiny_titok",
        },
        "model": {
            "vq_model": {
                "codebook_size": 64,
                "token_size": 12,
                "use_l2_norm": True,
                "commitment_cost": 0.25,
                "vit_enc_model_size": "tiny",
                "vit_dec_model_size": "tiny-wide",
                "vit_enc_patch_size": 8,
                "vit_dec_patch_size": 8,
                "num_latent_tokens": 32,
                "finetune_decoder": True,
            },
            "generator": {
                "model_type": "ViT",
                "hidden_size": 32,
                "num_hidden_layers": 2,
                "num_attention_heads": 2,
                "intermediate_size": 80,
                "dropout": 0.1,
                "attn_drop": 0.1,
                "num_steps": 8,
                "class_label_dropout": 0.1,
                "image_seq_len": image_seq_len,
                "condition_num_classes": len(CLASS_NAMES),
                "randomize_temperature": 9.5,
                "guidance_scale": 4.5,
                "guidance_decay": "linear",
            },
        },
        "dataset": {"preprocessing": {"crop_size": 32}},
        "stepwise": {
            "vit_model_sizes": {
                "tiny": {"width": 32, "num_layers": 2, "num_heads": 4},
                "tiny-wide": {"width": 48, "num_layers": 2, "num_heads": 3},
            },
            "pixel_decoder": {
                "channel_mult": [1, 1, 2, 2],
                "hidden_channels": 32,
                "num_res_blocks": 2,
                "z_channels": 16,
                "num_embeddings": 32,
                "resolution": 32,
            },
            "class_names": CLASS_NAMES,
        },
    }


def randomize(model: nn.Module, seed: int) -> None:
    """Weights that make every term visible at O(1) activations: fan-in-scaled Linear / Conv weights,
    unit-normal embeddings and codebooks, norms near 1, small nonzero biases; then rounded to f16."""
    g = torch.Generator().manual_seed(seed)

    def normal(p: torch.Tensor, std: float, mean: float = 0.0) -> None:
        p.data.copy_(torch.randn(p.shape, generator=g) * std + mean)

    with torch.no_grad():
        for name, p in model.named_parameters():
            owner = model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else model
            leaf = name.rsplit(".", 1)[-1]
            if leaf == "bias" or leaf == "in_proj_bias":
                normal(p, 0.1)
            elif isinstance(owner, (nn.LayerNorm, nn.GroupNorm)):
                normal(p, 0.2, 1.0)
            elif isinstance(owner, nn.Embedding):
                normal(p, 1.0)
            elif p.ndim >= 2 and isinstance(owner, (nn.Linear, nn.Conv2d, nn.MultiheadAttention)):
                normal(p, 1.0 / math.sqrt(p[0].numel()))
            else:  # free parameters: class / position / mask embeddings, latent tokens
                normal(p, 0.5)
            p.data.copy_(p.data.half().float())


def save_model(model: nn.Module, folder: str, config: dict) -> None:
    os.makedirs(folder, exist_ok=True)
    tensors = {k: v.half() for k, v in model.state_dict().items()}
    save_safetensors(os.path.join(folder, "model.safetensors"), tensors, {"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=4)
        f.write("\n")
    print(f"{folder}: {len(tensors)} tensors, {sum(t.numel() for t in tensors.values())} parameters")


def test_images(n: int, size: int, seed: int) -> torch.Tensor:
    """Smooth random images in [0, 1] (sums of a few gradients and waves, plus a little noise)."""
    g = torch.Generator().manual_seed(seed)
    y, x = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size), indexing="ij")
    out = torch.empty(n, 3, size, size)
    for i in range(n):
        for c in range(3):
            a = torch.rand(6, generator=g)
            img = a[0] * x + a[1] * y + 0.3 * torch.sin(6.28 * (a[2] * 3 * x + a[3] * 3 * y) + 6.28 * a[4])
            out[i, c] = img + 0.05 * torch.randn(size, size, generator=g) + a[5] * 0.2
    return out.clamp(0, 1)


def nearest_margin(z: torch.Tensor, codebook: torch.Tensor) -> float:
    """Smallest gap between the nearest and second-nearest code over the rows of z (both l2-normalised)."""
    d = torch.cdist(z, codebook) ** 2
    two = d.topk(2, dim=1, largest=False).values
    return float((two[:, 1] - two[:, 0]).min())


def tokenizer() -> TiTok:
    config = tiny_config(32)
    model = TiTok(to_config(config))
    randomize(model, 11)
    model.eval()
    folder = os.path.join(FIXTURES, "tiny-titok")
    save_model(model, folder, config)
    quantize = copy.deepcopy(model.quantize)  # it quantises in f32 whatever the input (as published)
    m = model.double()

    images = test_images(3, 32, 5).double()
    with torch.no_grad():
        latents = m.encoder(pixel_values=images, latent_tokens=m.latent_tokens)  # [E, T, 1, L]
        _, result = quantize(latents)
    tokens = result["min_encoding_indices"].reshape(3, -1)  # [E, L]
    z = latents.reshape(3, latents.shape[1], -1).permute(0, 2, 1)  # [E, L, T]
    book = nn.functional.normalize(quantize.embedding.weight, dim=-1)
    margin = min(nearest_margin(nn.functional.normalize(z[e].float(), dim=-1), book) for e in range(3))
    assert margin >= MARGIN, f"encoder ids are too close to a tie (margin {margin:.2e}); change the seed"

    g = torch.Generator().manual_seed(7)
    left_out = torch.randint(0, 64, (32,), generator=g)
    left_out[torch.arange(32) % 3 == 1] = 64  # tokens left out: Stepwise decodes id K as a zero latent
    decode_tokens = torch.stack(
        [tokens[0], torch.randint(0, 64, (32,), generator=g), torch.arange(32) % 64, left_out]
    )
    with torch.no_grad():
        known = decode_tokens < 64
        rows = torch.zeros(4, 32, 12, dtype=torch.float64)
        rows[known] = m.quantize.get_codebook_entry(decode_tokens[known])
        zq = rows.permute(0, 2, 1)[:, :, None, :]  # [S, T, 1, L], as decode_tokens builds it
        logits = m.decoder(zq)  # [S, Kp, G, G]
        decoded = m.decode(zq)  # [S, 3, 32, 32]
        assert torch.allclose(decoded[:3], m.decode_tokens(decode_tokens[:3]), atol=1e-10), "must match decode_tokens"
    save_safetensors(
        os.path.join(folder, "golden.safetensors"),
        {
            "decode_tokens": decode_tokens.to(torch.int32),
            "decode_logits": logits.flatten(2).transpose(1, 2).float().contiguous(),
            "decode_images": decoded.float(),
            "encode_images": images.float(),
            "encode_latents": z.float().contiguous(),
            "encode_tokens": tokens.to(torch.int32),
        },
        {"source": "train/titok_golden.py"},
    )
    print(f"  decode range [{decoded.min():.3f}, {decoded.max():.3f}], encoder nearest-code margin {margin:.3e}")
    return model


def generator() -> None:
    config = tiny_config("${model.vq_model.num_latent_tokens}")
    model = ImageBert(to_config(config))
    randomize(model, 13)
    model.eval()
    folder = os.path.join(FIXTURES, "tiny-titok-generator")
    save_model(model, folder, config)
    m = model.double()

    # Logits of two steps with constant guidance (the sampling noise is torch's; the ids are recorded).
    steps = []
    torch.manual_seed(17)
    m.generate(torch.tensor([3]), guidance_scale=2.5, guidance_decay="constant", randomize_temperature=3.0,
               num_sample_steps=4, on_step=lambda s: steps.append(s) if s["step"] < 2 else None)
    golden = {
        "logits_class": torch.tensor([3], dtype=torch.int32),
        "logits_scale": torch.tensor([s["cfg_scale"] for s in steps], dtype=torch.float32),
        "logits_ids": torch.cat([s["ids_in"] for s in steps]).to(torch.int32),
        "logits_cond": torch.cat([s["cond_logits"] for s in steps]).float(),
        "logits_uncond": torch.cat([s["uncond_logits"] for s in steps]).float(),
        "logits_guided": torch.cat([s["guided_logits"] for s in steps]).float(),
    }
    assert (golden["logits_ids"][1] != 64).any(), "step 1 should see some unmasked tokens"

    # Deterministic runs (no noise) of each guidance schedule; every argmax and cut-off must be clear.
    settings = []
    for name, decay, annealing in [("constant", "constant", 0), ("linear", "linear", 1), ("power_cosine", "power-cosine", 0)]:
        for cls in range(10):
            trace = []
            m.generate(torch.tensor([cls]), guidance_scale=3.0, guidance_decay=decay, randomize_temperature=0.0,
                       softmax_temperature_annealing=bool(annealing), num_sample_steps=6, on_step=trace.append)
            if min(trajectory_margin(s) for s in trace) >= MARGIN:
                break
        else:
            raise AssertionError(f"no class gives a {name} trajectory clear of ties")
        golden[f"trajectory_{name}"] = torch.cat([s["ids_out"] for s in trace]).to(torch.int32)
        settings.append([cls, 3.0, 6, annealing])
    golden["trajectory_settings"] = torch.tensor(settings, dtype=torch.float32)
    save_safetensors(os.path.join(folder, "golden.safetensors"), golden, {"source": "train/titok_golden.py"})
    print(f"  trajectories: classes {[int(s[0]) for s in settings]}")


def trajectory_margin(s: dict) -> float:
    """How clearly a noiseless step decided: top-1 vs top-2 logit at masked positions, and the gap
    between the confidences on either side of the cut-off."""
    masked = s["ids_in"][0] == 64
    top = s["guided_logits"][0][masked].topk(2, dim=-1).values
    gap = float((top[:, 0] - top[:, 1]).min())
    conf = s["confidence"][0].sort().values
    k = s["mask_len"]
    if k < conf.numel() and math.isfinite(conf[k]):
        gap = min(gap, float(conf[k] - conf[k - 1]))
    return gap


if __name__ == "__main__":
    torch.set_num_threads(2)
    tokenizer()
    generator()
