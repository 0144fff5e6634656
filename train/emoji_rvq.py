"""emoji-rvq: a convolutional image tokenizer with residual vector quantisation (RVQ).

32×32 RGB → conv encoder (two stride-2 downsamples) → 8×8 latent of `codebook_dim` channels →
RVQ with `num_quantizers` depths of `codebook_size` codes (greedy: each depth quantises what the
previous depths left; SoundStream / EnCodec) → conv decoder (1×1 post-quant conv, 3×3 convs,
GroupNorm + SiLU residual blocks, nearest ×2 upsampling) → RGB in [-1, 1].

Decode (what the WebGPU side implements, src/models/rvqDecoder.ts):
  z[c, y, x] = Σ_{d < depths} codebook_d[codes[d, y, x], c]                       # [Dz, 8, 8]
  h = post_quant_conv(z)  (1×1)  ;  h = conv_in(h)  (3×3)
  for level i: h = ResBlock_i(h) ; if not last: h = conv_up_i(upsample2x(h))   # 8 → 16 → 32
  rgb = conv_out(silu(norm_out(h)))                                              # [3, 32, 32]
ResBlock(h) = h + conv2(silu(norm2(conv1(silu(norm1(h)))))).

Training: MSE on [-1, 1] pixels + 0.25 · commitment; codebooks by EMA k-means updates with dead-code
restarts; quantiser dropout (half of the images use only the first 1–3 depths) so that decoding with
fewer depths gives a coarser, still sensible image.

Usage: /usr/bin/python3 train/emoji_rvq.py OUT_DIR [--minutes M] [--threads N]
Writes OUT_DIR/{config.json, model.safetensors (f16: quantizer + decoder), train_log.json} and
train/runs/emoji-rvq.pt (f32, with the encoder) + train/runs/emoji_tokens.npz (codes of every image).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import emoji_data
from safetensors_io import save_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "runs")

CONFIG = {
    "image_size": 32,  # input/output side, pixels
    "latent_size": 8,  # side of the token grid
    "codebook_size": 256,  # codes per depth
    "num_quantizers": 4,  # RVQ depths
    "codebook_dim": 32,  # channels of the latent
    "decoder_channels": [128, 64, 32],  # channels at 8×8, 16×16, 32×32
    "norm_groups": 8,  # GroupNorm groups
    "norm_eps": 1e-6,  # GroupNorm epsilon
}


class ResBlock(nn.Module):
    def __init__(self, ch: int, groups: int, eps: float):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, ch, eps=eps)
        self.conv1 = nn.Conv2d(ch, ch, 3, padding=1)
        self.norm2 = nn.GroupNorm(groups, ch, eps=eps)
        self.conv2 = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        return x + self.conv2(F.silu(self.norm2(h)))


class Encoder(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        ch = list(reversed(c["decoder_channels"]))  # 32, 64, 128
        g, eps = c["norm_groups"], c["norm_eps"]
        self.conv_in = nn.Conv2d(3, ch[0], 3, padding=1)
        self.blocks = nn.ModuleList(ResBlock(k, g, eps) for k in ch)
        self.down = nn.ModuleList(nn.Conv2d(ch[i], ch[i + 1], 4, stride=2, padding=1) for i in range(len(ch) - 1))
        self.norm_out = nn.GroupNorm(g, ch[-1], eps=eps)
        self.conv_out = nn.Conv2d(ch[-1], c["codebook_dim"], 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # [B, 3, 32, 32] → [B, Dz, 8, 8]
        h = self.conv_in(x)
        for i, b in enumerate(self.blocks):
            h = b(h)
            if i < len(self.down):
                h = self.down[i](h)
        return self.conv_out(F.silu(self.norm_out(h)))


class Decoder(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        ch = c["decoder_channels"]
        g, eps = c["norm_groups"], c["norm_eps"]
        self.post_quant_conv = nn.Conv2d(c["codebook_dim"], c["codebook_dim"], 1)
        self.conv_in = nn.Conv2d(c["codebook_dim"], ch[0], 3, padding=1)
        self.blocks = nn.ModuleList(ResBlock(k, g, eps) for k in ch)
        self.up = nn.ModuleList(nn.Conv2d(ch[i], ch[i + 1], 3, padding=1) for i in range(len(ch) - 1))
        self.norm_out = nn.GroupNorm(g, ch[-1], eps=eps)
        self.conv_out = nn.Conv2d(ch[-1], 3, 3, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # [B, Dz, 8, 8] → [B, 3, 32, 32]
        h = self.conv_in(self.post_quant_conv(z))
        for i, b in enumerate(self.blocks):
            h = b(h)
            if i < len(self.up):
                h = self.up[i](F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.conv_out(F.silu(self.norm_out(h)))


class Rvq(nn.Module):
    """Greedy residual VQ with EMA codebooks (van den Oord et al. 2017, appendix; SoundStream)."""

    def __init__(self, c: dict, decay: float = 0.99):
        super().__init__()
        self.depths, self.k, self.dim, self.decay = c["num_quantizers"], c["codebook_size"], c["codebook_dim"], decay
        self.register_buffer("codebooks", torch.randn(self.depths, self.k, self.dim) * 0.1)  # [D, K, Dz]
        self.register_buffer("cluster_size", torch.ones(self.depths, self.k))  # [D, K]
        self.register_buffer("embed_sum", self.codebooks.clone())  # [D, K, Dz]
        self.register_buffer("initialised", torch.zeros(()))

    def nearest(self, d: int, r: torch.Tensor) -> torch.Tensor:  # r [N, Dz] → codes [N]
        cb = self.codebooks[d]
        dist = (r * r).sum(1, keepdim=True) - 2 * r @ cb.T + (cb * cb).sum(1)[None]
        return dist.argmin(1)

    def forward(self, z: torch.Tensor, keep: torch.Tensor | None):
        """z [B, Dz, H, W]; keep [B] = depths used per image (None: all). → (z_q, codes [B, D, H, W], commit)."""
        B, C, H, W = z.shape
        flat = z.permute(0, 2, 3, 1).reshape(-1, C)  # [N, Dz]
        use = None if keep is None else keep.repeat_interleave(H * W)  # [N]
        if self.training and not bool(self.initialised):
            r = flat.detach()
            for d in range(self.depths):  # seed every depth with residuals of the first batch
                pick = torch.randperm(len(r))[: self.k]
                self.codebooks[d] = r[pick]
                self.embed_sum[d] = r[pick]
                r = r - self.codebooks[d][self.nearest(d, r)]
            self.initialised.fill_(1)
        residual = flat.detach()
        quant = torch.zeros_like(flat)
        codes = []
        for d in range(self.depths):
            idx = self.nearest(d, residual)
            q = self.codebooks[d][idx]  # [N, Dz]
            active = torch.ones(len(idx), dtype=torch.bool) if use is None else use > d
            if self.training:
                self.ema_update(d, residual[active], idx[active])
            quant = quant + q * active[:, None]
            residual = residual - q * active[:, None]
            codes.append(idx)
        commit = F.mse_loss(flat, quant.detach())
        z_q = flat + (quant - flat).detach()  # straight-through estimator
        z_q = z_q.view(B, H, W, C).permute(0, 3, 1, 2)
        codes = torch.stack(codes, 1).view(B, H, W, self.depths).permute(0, 3, 1, 2)
        return z_q, codes, commit

    @torch.no_grad()
    def ema_update(self, d: int, r: torch.Tensor, idx: torch.Tensor) -> None:
        onehot = F.one_hot(idx, self.k).type(r.dtype)  # [N, K]
        self.cluster_size[d].mul_(self.decay).add_(onehot.sum(0), alpha=1 - self.decay)
        self.embed_sum[d].mul_(self.decay).add_(onehot.T @ r, alpha=1 - self.decay)
        n = self.cluster_size[d].sum()
        size = (self.cluster_size[d] + 1e-5) / (n + self.k * 1e-5) * n  # Laplace smoothing
        self.codebooks[d] = self.embed_sum[d] / size[:, None]
        dead = self.cluster_size[d] < 0.03
        if dead.any() and len(r) > 0:  # restart unused codes on random residuals of this batch
            pick = torch.randint(0, len(r), (int(dead.sum()),))
            self.codebooks[d][dead] = r[pick]
            self.embed_sum[d][dead] = r[pick]
            self.cluster_size[d][dead] = 1.0

    def decode(self, codes: torch.Tensor, depths: int) -> torch.Tensor:  # [B, D, H, W] → [B, Dz, H, W]
        z = sum(self.codebooks[d][codes[:, d]] for d in range(depths))  # [B, H, W, Dz]
        return z.permute(0, 3, 1, 2)


class Tokenizer(nn.Module):
    def __init__(self, c: dict):
        super().__init__()
        self.encoder, self.quantizer, self.decoder = Encoder(c), Rvq(c), Decoder(c)

    def forward(self, x: torch.Tensor, keep: torch.Tensor | None = None):
        z_q, codes, commit = self.quantizer(self.encoder(x), keep)
        return self.decoder(z_q), codes, commit

    def shipped_state_dict(self) -> dict[str, torch.Tensor]:
        """The tensors the browser needs: codebooks and decoder, under their published names."""
        sd = {f"quantizer.layers.{d}.codebook": self.quantizer.codebooks[d] for d in range(self.quantizer.depths)}
        sd.update({f"decoder.{k}": v for k, v in self.decoder.state_dict().items()})
        return sd


def to_input(images: np.ndarray) -> torch.Tensor:  # uint8 [N, 32, 32, 3] → [N, 3, 32, 32] in [-1, 1]
    return torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """PSNR in dB of images in [-1, 1], measured on the [0, 1] scale after clamping."""
    mse = (((a.clamp(-1, 1) - b) / 2) ** 2).mean().item()
    return 10 * math.log10(1 / mse)


@torch.no_grad()
def evaluate(model: Tokenizer, x: torch.Tensor) -> list[float]:
    model.eval()
    codes = torch.cat([model(x[i : i + 256])[1] for i in range(0, len(x), 256)])
    out = []
    for d in range(1, model.quantizer.depths + 1):
        rec = torch.cat([model.decoder(model.quantizer.decode(codes[i : i + 256], d)) for i in range(0, len(x), 256)])
        out.append(psnr(rec, x))
    model.train()
    return out


def hf_config() -> dict:
    return {
        "architectures": ["StepwiseRvqTokenizer"],
        "model_type": "stepwise-rvq",
        **CONFIG,
        "torch_dtype": "float16",
        "stepwise": {"task": "image-tokenizer"},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--minutes", type=float, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    data = emoji_data.load()
    x_all = to_input(data["images"])
    train, val = x_all[~torch.from_numpy(data["split"])], x_all[torch.from_numpy(data["split"])]
    model = Tokenizer(CONFIG)
    params = list(model.encoder.parameters()) + list(model.decoder.parameters())
    opt = torch.optim.Adam(params, lr=a.lr)
    log = {"config": CONFIG, "args": vars(a), "steps": []}
    start, step = time.time(), 0
    budget = a.minutes * 60
    while True:
        elapsed = time.time() - start
        if elapsed > budget:
            break
        frac = elapsed / budget
        for g in opt.param_groups:  # warm-up, then cosine decay over the time budget
            g["lr"] = a.lr * min(1.0, (step + 1) / 100) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
        idx = torch.randint(0, len(train), (a.batch,))
        x = train[idx]
        x = torch.where(torch.rand(a.batch, 1, 1, 1) < 0.5, x, x.flip(3))  # horizontal flips
        depths = CONFIG["num_quantizers"]
        keep = torch.where(torch.rand(a.batch) < 0.5, torch.randint(1, depths, (a.batch,)), torch.full((a.batch,), depths))
        rec, _, commit = model(x, keep)
        loss = F.mse_loss(rec, x) + 0.25 * commit
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % 100 == 0:
            entry = {"step": step, "minutes": round(elapsed / 60, 2), "loss": round(loss.item(), 5)}
            if step % 500 == 0:
                entry["val_psnr"] = [round(p, 2) for p in evaluate(model, val)]
            log["steps"].append(entry)
            print(json.dumps(entry), flush=True)
    val_psnr = evaluate(model, val)
    train_psnr = evaluate(model, train[:1024])
    log.update(steps_total=step, minutes=round((time.time() - start) / 60, 1), val_psnr=val_psnr, train_psnr=train_psnr)
    print("validation PSNR by depths 1..4:", [round(p, 2) for p in val_psnr], flush=True)

    os.makedirs(a.out, exist_ok=True)
    torch.save(model.state_dict(), os.path.join(RUNS, "emoji-rvq.pt"))
    sd = {k: v.half() for k, v in model.shipped_state_dict().items()}
    save_safetensors(os.path.join(a.out, "model.safetensors"), sd, {"format": "pt"})
    json.dump(hf_config(), open(os.path.join(a.out, "config.json"), "w"), indent=2)
    json.dump(log, open(os.path.join(HERE, "emoji-rvq.train_log.json"), "w"), indent=1)

    # Tokens of every image with the shipped (f16-rounded) codebooks, for the generators.
    model.quantizer.codebooks.copy_(model.quantizer.codebooks.half().float())
    model.eval()
    with torch.no_grad():
        codes = torch.cat([model(x_all[i : i + 256])[1] for i in range(0, len(x_all), 256)])
    np.savez_compressed(os.path.join(RUNS, "emoji_tokens.npz"), codes=codes.numpy().astype(np.int16), labels=data["labels"], split=data["split"], classes=data["classes"])
    print(f"wrote {a.out} and {RUNS}/emoji_tokens.npz", flush=True)


if __name__ == "__main__":
    main()
