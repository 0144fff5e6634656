"""This file contains the model definition of TiTok.

Copyright (2024) Bytedance Ltd. and/or its affiliates

Licensed under the Apache License, Version 2.0 (the "License"); 
you may not use this file except in compliance with the License. 
You may obtain a copy of the License at 

    http://www.apache.org/licenses/LICENSE-2.0 

Unless required by applicable law or agreed to in writing, software 
distributed under the License is distributed on an "AS IS" BASIS, 
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. 
See the License for the specific language governing permissions and 
limitations under the License.

Vendored for Stepwise from bytedance/1d-tokenizer, modeling/titok.py at commit
942a96fbdd873780179d1b78d5462911528bf8c8. Changes (see README.md next to this file):
- TiTok is a plain nn.Module taking a `config.Config` (no BaseModel, PyTorchModelHubMixin or
  OmegaConf, none of which is installed here); PretrainedTokenizer (the separate MaskGIT-VQGAN
  tokenizer) is dropped; einops is replaced by a torch permute;
- the MaskGIT-VQGAN pixel decoder's settings, fixed in the original, come from
  `pixel_decoder_config(config)`: the published values unless `config.stepwise.pixel_decoder`
  overrides some (tiny test models).
"""

import torch
import torch.nn as nn

from .blocks import TiTokEncoder, TiTokDecoder, pixel_codebook_size
from .config import Config
from .quantizer import VectorQuantizer
from .maskgit_vqgan import Decoder as Pixel_Decoder
from .maskgit_vqgan import VectorQuantizer as Pixel_Quantizer

# The MaskGIT-VQGAN decoder as TiTok builds it (fixed in the original titok.py).
PIXEL_DECODER = {
    "channel_mult": [1, 1, 2, 2, 4],
    "num_resolutions": 5,
    "dropout": 0.0,
    "hidden_channels": 128,
    "num_channels": 3,
    "num_res_blocks": 2,
    "resolution": 256,
    "z_channels": 256,
}


def pixel_decoder_config(config):
    overrides = config.get("stepwise", {}).get("pixel_decoder", {})
    merged = {k: overrides.get(k, v) for k, v in PIXEL_DECODER.items()}
    merged["num_resolutions"] = len(merged["channel_mult"])
    return Config(merged)


class TiTok(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        # This should be False for stage1 and True for stage2.
        self.finetune_decoder = config.model.vq_model.get("finetune_decoder", True)

        self.quantize_mode = config.model.vq_model.get("quantize_mode", "vq")
        if self.quantize_mode not in ["vq"]:
            raise ValueError(f"Unsupported quantize mode {self.quantize_mode} (Stepwise's copy keeps only vq).")
        
        self.encoder = TiTokEncoder(config)
        self.decoder = TiTokDecoder(config)
        
        self.num_latent_tokens = config.model.vq_model.num_latent_tokens
        scale = self.encoder.width ** -0.5
        self.latent_tokens = nn.Parameter(
            scale * torch.randn(self.num_latent_tokens, self.encoder.width))
        
        self.apply(self._init_weights)

        self.quantize = VectorQuantizer(
            codebook_size=config.model.vq_model.codebook_size,
            token_size=config.model.vq_model.token_size,
            commitment_cost=config.model.vq_model.commitment_cost,
            use_l2_norm=config.model.vq_model.use_l2_norm,)
        
        if self.finetune_decoder:
            # Freeze encoder/quantizer/latent tokens
            self.latent_tokens.requires_grad_(False)
            self.encoder.eval()
            self.encoder.requires_grad_(False)
            self.quantize.eval()
            self.quantize.requires_grad_(False)

            # Include MaskGiT-VQGAN's quantizer and decoder
            pixel = pixel_decoder_config(config)
            self.pixel_quantize = Pixel_Quantizer(
                num_embeddings=pixel_codebook_size(config), embedding_dim=pixel.z_channels, commitment_cost=0.25)
            self.pixel_decoder = Pixel_Decoder(pixel)

    def _init_weights(self, module):
        """ Initialize the weights.
            :param:
                module -> torch.nn.Module: module to initialize
        """
        if isinstance(module, nn.Linear) or isinstance(module, nn.Conv1d) or isinstance(module, nn.Conv2d):
            module.weight.data = nn.init.trunc_normal_(module.weight.data, mean=0.0, std=0.02)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data = nn.init.trunc_normal_(module.weight.data, mean=0.0, std=0.02)
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)

    def encode(self, x):
        if self.finetune_decoder:
            with torch.no_grad():
                self.encoder.eval()
                self.quantize.eval()
                z = self.encoder(pixel_values=x, latent_tokens=self.latent_tokens)
                z_quantized, result_dict = self.quantize(z)
                result_dict["quantizer_loss"] *= 0
                result_dict["commitment_loss"] *= 0
                result_dict["codebook_loss"] *= 0
        else:
            z = self.encoder(pixel_values=x, latent_tokens=self.latent_tokens)
            z_quantized, result_dict = self.quantize(z)

        return z_quantized, result_dict
    
    def decode(self, z_quantized):
        decoded = self.decoder(z_quantized)
        if self.finetune_decoder:
            quantized_states = torch.einsum(
                'nchw,cd->ndhw', decoded.softmax(1),
                self.pixel_quantize.embedding.weight)
            decoded = self.pixel_decoder(quantized_states)
        return decoded
    
    def decode_tokens(self, tokens):
        tokens = tokens.squeeze(1)
        batch, seq_len = tokens.shape # B x N
        z_quantized = self.quantize.get_codebook_entry(
            tokens.reshape(-1)).reshape(batch, 1, seq_len, -1)
        z_quantized = z_quantized.permute(0, 3, 1, 2).contiguous()  # b h w c -> b c h w
        decoded = self.decode(z_quantized)
        return decoded
    
    def forward(self, x):
        z_quantized, result_dict = self.encode(x)
        decoded = self.decode(z_quantized)
        return decoded, result_dict
