"""TiTok (bytedance/1d-tokenizer) vendored for Stepwise's golden fixtures; see README.md."""
