"""A stand-in for the OmegaConf objects the TiTok modules read their settings from.

Written for Stepwise (not part of bytedance/1d-tokenizer): OmegaConf is not installed here. The modules
only read attributes (`config.model.vq_model.codebook_size`) and call `.get(key, default)`, so a dict
with attribute access is enough. Strings that are a whole OmegaConf interpolation ("${a.b.c}", as in
`image_seq_len: ${model.vq_model.num_latent_tokens}`) are resolved against the root, as OmegaConf does.
"""

from __future__ import annotations

import re

_INTERPOLATION = re.compile(r"^\$\{([A-Za-z0-9_.]+)\}$")


class Config(dict):
    """A dict whose keys are also attributes; nested dicts become Configs."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError as e:
            raise AttributeError(key) from e


def to_config(obj: dict) -> Config:
    """A Config of a plain nested dict (the parsed config.json), interpolations resolved."""

    def wrap(v):
        if isinstance(v, dict):
            return Config({k: wrap(x) for k, x in v.items()})
        if isinstance(v, list):
            return [wrap(x) for x in v]
        return v

    root = wrap(obj)

    def resolve(v):
        if isinstance(v, Config):
            for k in v:
                v[k] = resolve(v[k])
            return v
        if isinstance(v, list):
            return [resolve(x) for x in v]
        m = _INTERPOLATION.match(v) if isinstance(v, str) else None
        if m:
            target = root
            for part in m.group(1).split("."):
                target = target[part]
            return resolve(target)
        return v

    return resolve(root)
