"""Emoji images for the image demo models: Noto (emoji-datasource-google, Apache-2.0) and Twemoji
(emoji-datasource-twitter, CC-BY-4.0), read from train/node_modules (`npm --prefix train install`).

Each 64-px PNG (RGBA) is composited on white and box-downsampled to 32×32 RGB. Skin-tone variations
are separate images with the subcategory of their base emoji. The condition is the subcategory from
emoji.json (e.g. `animal-mammal`, `food-fruit`); classes are sorted by name.

Split: ~5 % of the *base emoji* are held out for validation (a stable hash of the emoji's unified
code point, so both sets' drawings of one emoji and all its skin tones fall on the same side).

Usage: /usr/bin/python3 train/emoji_data.py  → writes train/runs/emoji32.npz (cached; rebuilt only
when missing) with images uint8 [N, 32, 32, 3], labels int64 [N], split bool [N] (True = validation),
source int64 [N] (0 google, 1 twitter), classes (names).
"""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = [("google", "emoji-datasource-google"), ("twitter", "emoji-datasource-twitter")]
CACHE = os.path.join(HERE, "runs", "emoji32.npz")
SIZE = 32
VALIDATION_SHARE = 0.05


def is_validation(unified: str) -> bool:
    h = int.from_bytes(hashlib.sha256(unified.encode()).digest()[:4], "little")
    return h / 2**32 < VALIDATION_SHARE


def load_png(path: str) -> np.ndarray:
    im = Image.open(path).convert("RGBA")
    white = Image.new("RGBA", im.size, (255, 255, 255, 255))
    rgb = Image.alpha_composite(white, im).convert("RGB")
    return np.asarray(rgb.resize((SIZE, SIZE), Image.BOX), dtype=np.uint8)  # [32, 32, 3]


def build() -> dict[str, np.ndarray]:
    meta = json.load(open(os.path.join(HERE, "node_modules", SOURCES[0][1], "emoji.json")))
    classes = sorted({e["subcategory"] for e in meta})
    index = {c: i for i, c in enumerate(classes)}
    images, labels, split, source = [], [], [], []
    for s, (name, pkg) in enumerate(SOURCES):
        folder = os.path.join(HERE, "node_modules", pkg, "img", name, "64")
        for e in meta:
            if not e.get(f"has_img_{name}"):
                continue
            files = [e["image"]] + [v["image"] for v in e.get("skin_variations", {}).values() if v.get(f"has_img_{name}")]
            for f in files:
                p = os.path.join(folder, f)
                if not os.path.exists(p):
                    continue
                images.append(load_png(p))
                labels.append(index[e["subcategory"]])
                split.append(is_validation(e["unified"]))
                source.append(s)
    return {
        "images": np.stack(images),
        "labels": np.array(labels, dtype=np.int64),
        "split": np.array(split, dtype=bool),
        "source": np.array(source, dtype=np.int64),
        "classes": np.array(classes),
    }


def load() -> dict[str, np.ndarray]:
    if not os.path.exists(CACHE):
        os.makedirs(os.path.dirname(CACHE), exist_ok=True)
        np.savez_compressed(CACHE, **build())
    with np.load(CACHE) as z:
        return {k: z[k] for k in z.files}


if __name__ == "__main__":
    d = load()
    n, v = len(d["labels"]), int(d["split"].sum())
    print(f"{n} images ({n - v} train, {v} validation), {len(d['classes'])} classes → {CACHE}")
