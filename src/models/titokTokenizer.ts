// TiTok's 1-D image tokenizer (bytedance/1d-tokenizer, modeling/titok.py; "An Image is Worth 32
// Tokens for Reconstruction and Generation"), legacy VQ variant with the MaskGIT-VQGAN pixel decoder
// (TiTok-L-32, B-64, S-128). An image of S×S pixels in [0, 1] ↔ L token ids of a K-entry codebook.
// Decode (decode_tokens):
//   zq = codebook[ids]  (l2-normalised rows when use_l2_norm)                   [L, T]
//   x  = [cls + pos₀ ; mask + pos₁…G² ; decoder_embed(zq) + latent_pos]          [1 + G² + L, Wd]
//   y  = ln_post(ViT(ln_pre(x))[1 … G²])                                          [G², Wd], G = S / p_dec
//   logits = ffn.2(tanh(ffn.0(y)))  (1×1 convs = linears over the grid)           [G², Kp]
//   q  = softmax(logits) · pixel_codebook, channel-major                         [Dz, G, G]
//   rgb = pixel_decoder(q)                                                        [3, S, S]
// Encode (encode): patches → patch_embed + pos; x = [cls + pos₀ ; patches ; latent_tokens + latent_pos];
//   ln_post of the last L rows of ViT(ln_pre(x)) [L, We]; the legacy code then reads that buffer as
//   [We, L] (a reshape, not a transpose) before the 1×1 conv_out, so here it is transposed back to
//   rows before the linear: z [L, T]; ids = nearest code of each row of z (both sides l2-normalised
//   when use_l2_norm).
// An id equal to K (the generator's mask id) decodes as a zero latent vector: TiTok has no mask token
// of its own, and this is how a preview shows an image with tokens left out.

import type { Gpu } from '../gpu/gpu.ts';
import { view, type Tensor } from '../gpu/tensor.ts';
import { readTitokTokenizer, type TitokTokenizerConfig } from '../formats/configTitok.ts';
import type { LoadedModel } from '../formats/modelFolder.ts';
import { add } from '../kernels/elementwise.ts';
import { embedding } from '../kernels/embedding.ts';
import { l2Normalize } from '../kernels/l2norm.ts';
import { matmul } from '../kernels/matmul.ts';
import { patchify } from '../kernels/patchify.ts';
import { softmax } from '../kernels/softmax.ts';
import { transpose } from '../kernels/transpose.ts';
import { tanh } from '../kernels/unary.ts';
import { vqNearest } from '../kernels/vqNearest.ts';
import { badInput } from '../shared/errors.ts';
import { loadPixelDecoder, runPixelDecoder, type PixelDecoder } from './maskgitVqgan.ts';
import { titokRole } from './titokRole.ts';
import { linear, loadTorchNorm, norm, type TorchLinear, type TorchNorm } from './torchLinear.ts';
import { loadVit, runVit, type Vit } from './titokVit.ts';
import { WeightLoader } from './weights.ts';

const LN_EPS = 1e-5;

export interface TitokLoadOptions {
  encoder?: boolean; // load the encoder too (default true); generation needs only the decoder side
}

interface Decoder {
  vit: Vit;
  prefix: Tensor; // [1 + G², Wd]: class_embedding + pos₀, then mask_token + pos₁…G²
  embed: TorchLinear; // decoder_embed [Wd, T]
  latentPos: Tensor; // latent_token_positional_embedding [L, Wd]
  lnPre: TorchNorm;
  lnPost: TorchNorm;
  ffn0: TorchLinear; // ffn.0, a 1×1 conv [2Wd, Wd]
  ffn2: TorchLinear; // ffn.2, a 1×1 conv [Kp, 2Wd]
  pixelCodebookT: Tensor; // pixel_quantize.embedding transposed [Dz, Kp]
  pixel: PixelDecoder;
}

interface Encoder {
  vit: Vit;
  patchEmbed: TorchLinear; // patch_embed, a p×p stride-p conv seen as [We, 3·p·p]
  clsRow: Tensor; // [1, We]: class_embedding + pos₀
  patchPos: Tensor; // [Ge², We]: pos₁…Ge²
  latentRows: Tensor; // [L, We]: latent_tokens + latent_token_positional_embedding
  lnPre: TorchNorm;
  lnPost: TorchNorm;
  convOut: TorchLinear; // conv_out, a 1×1 conv [T, We]
}

export class TitokTokenizer {
  readonly architecture = 'titok';

  private constructor(
    private readonly gpu: Gpu,
    readonly config: TitokTokenizerConfig,
    private readonly codebook: Tensor, // quantize.embedding [K, T], rows l2-normalised when use_l2_norm
    private readonly decoder: Decoder,
    private readonly encoder: Encoder | null,
    private readonly owned: Tensor[],
    readonly weightBytes: number, // GPU bytes held by the weights
  ) {}

  /** Side of the square images it encodes and decodes, pixels. */
  get imageSize(): number {
    return this.config.imageSize;
  }
  /** Tokens per image, L. */
  get numTokens(): number {
    return this.config.numLatentTokens;
  }
  /** Codebook entries, K; the id K decodes as a left-out token. */
  get codebookSize(): number {
    return this.config.codebookSize;
  }
  get hasEncoder(): boolean {
    return this.encoder !== null;
  }

  /** Builds the tokenizer of a TiTok folder. On any error (a missing or misshapen tensor) the
   *  weights uploaded so far are released. */
  static async load(gpu: Gpu, model: LoadedModel, options: TitokLoadOptions = {}): Promise<TitokTokenizer> {
    if (model.config.modelType !== 'titok') {
      throw badInput(`${model.folder} is a "${model.config.modelType}" model, not a TiTok tokenizer`);
    }
    const role = titokRole(model);
    if (role !== 'tokenizer') {
      throw badInput(
        `${model.folder} holds a TiTok generator (ImageBert), not the tokenizer`,
        'pick the tokenizer folder, e.g. yucornetto/tokenizer_titok_l32_imagenet',
      );
    }
    const c = readTitokTokenizer(model.config, `${model.folder}/config.json`);
    const w = new WeightLoader(gpu, model.checkpoint, `TiTok tokenizer of ${model.folder}`);
    return w.guard(async () => {
      const codebook = await loadCodebook(w, c);
      const decoder = await loadDecoder(w, c);
      const encoder = options.encoder === false ? null : await loadEncoder(w, c);
      return new TitokTokenizer(gpu, c, codebook, decoder, encoder, await w.all(), w.bytes);
    });
  }

  /** The decoder ViT's logits over the pixel codebook for token ids [L] → [G², Kp] (each grid
   *  position's distribution over MaskGIT-VQGAN codes, before the softmax). The caller releases it. */
  decodeLogits(ids: Int32Array): Tensor {
    this.checkIds(ids);
    const gpu = this.gpu;
    const d = this.decoder;
    const { numLatentTokens: L, imageSize: S } = this.config;
    const Wd = this.config.decoder.width;
    const G2 = (S / this.config.decoder.patchSize) ** 2;
    const tids = gpu.upload(ids, [L], 'titok.tokens'); // [L]
    const zq = embedding(gpu, tids, this.codebook, 'quantize.embedding'); // [L, T]; the mask id K gives zeros
    const e = linear(gpu, zq, d.embed); // [L, Wd]
    const xl = add(gpu, e, d.latentPos, 'decoder.latent_tokens'); // [L, Wd]
    const seq = gpu.empty([1 + G2 + L, Wd], 'f32', 'decoder.sequence'); // [1 + G² + L, Wd]
    gpu.copy(d.prefix, 0, seq, 0, (1 + G2) * Wd);
    gpu.copy(xl, 0, seq, (1 + G2) * Wd, L * Wd);
    const n = norm(gpu, seq, d.lnPre, LN_EPS);
    const y = runVit(gpu, d.vit, n); // [1 + G² + L, Wd]
    const grid = gpu.empty([G2, Wd], 'f32', 'decoder.grid'); // [G², Wd]: the mask-token rows
    gpu.copy(y, Wd, grid, 0, G2 * Wd);
    const p = norm(gpu, grid, d.lnPost, LN_EPS); // [G², Wd]
    const h0 = linear(gpu, p, d.ffn0); // [G², 2Wd]
    const h = tanh(gpu, h0, 'decoder.ffn.1'); // [G², 2Wd]
    const logits = linear(gpu, h, d.ffn2); // [G², Kp]
    for (const t of [tids, zq, e, xl, seq, n, y, grid, p, h0, h]) t.release();
    return logits;
  }

  /** Token ids [L] (0 … K−1, or K for a token left out) → RGB [3, S, S], about [0, 1] (not clamped).
   *  The caller releases the result. */
  decode(ids: Int32Array): Tensor {
    const gpu = this.gpu;
    const { zChannels: Dz } = this.config.pixelDecoder;
    const G = this.config.imageSize / this.config.decoder.patchSize;
    const logits = this.decodeLogits(ids); // [G², Kp]
    const probs = softmax(gpu, logits, { label: 'decoder.softmax' }); // [G², Kp]
    // q[c, g] = Σ_k probs[g, k] · pixel_codebook[k, c]: channel-major, as the pixel decoder wants it
    const q = matmul(gpu, this.decoder.pixelCodebookT, probs, { transB: true, label: 'pixel_quantize' }); // [Dz, G²]
    const rgb = runPixelDecoder(gpu, this.decoder.pixel, view(q, [Dz, G, G])); // [3, S, S]
    for (const t of [logits, probs, q]) t.release();
    return rgb;
  }

  /** The encoder's output for an image [3, S, S] (values in [0, 1], channel-major): one row per
   *  latent token, before quantisation → [L, T]. The caller releases it. */
  encodeLatents(pixels: Float32Array): Tensor {
    const e = this.requireEncoder();
    this.checkPixels(pixels);
    const gpu = this.gpu;
    const { imageSize: S, numLatentTokens: L } = this.config;
    const { width: We, patchSize: p } = this.config.encoder;
    const G2 = (S / p) ** 2;
    const img = gpu.upload(pixels, [3, S, S], 'titok.image'); // [3, S, S]
    const patches = patchify(gpu, img, p, 'encoder.patches'); // [Ge², 3·p·p]
    const pe = linear(gpu, patches, e.patchEmbed); // [Ge², We]
    const pp = add(gpu, pe, e.patchPos, 'encoder.patch_positions'); // [Ge², We]
    const seq = gpu.empty([1 + G2 + L, We], 'f32', 'encoder.sequence'); // [1 + Ge² + L, We]
    gpu.copy(e.clsRow, 0, seq, 0, We);
    gpu.copy(pp, 0, seq, We, G2 * We);
    gpu.copy(e.latentRows, 0, seq, (1 + G2) * We, L * We);
    const n = norm(gpu, seq, e.lnPre, LN_EPS);
    const y = runVit(gpu, e.vit, n); // [1 + Ge² + L, We]
    const lat = gpu.empty([L, We], 'f32', 'encoder.latent_tokens'); // [L, We]
    gpu.copy(y, (1 + G2) * We, lat, 0, L * We);
    const lp = norm(gpu, lat, e.lnPost, LN_EPS); // [L, We]
    // The legacy reshape: the [L, We] rows read as [We, L] columns-per-token, transposed back to rows.
    const rows = transpose(gpu, view(lp, [We, L]), 'encoder.legacy_reshape'); // [L, We]
    const z = linear(gpu, rows, e.convOut); // [L, T]
    for (const t of [img, patches, pe, pp, seq, n, y, lat, lp, rows]) t.release();
    return z;
  }

  /** An image [3, S, S] (values in [0, 1]) → its L token ids. */
  async encode(pixels: Float32Array): Promise<Int32Array> {
    const gpu = this.gpu;
    const z = this.encodeLatents(pixels); // [L, T]
    const zn = this.config.useL2Norm ? l2Normalize(gpu, z, { label: 'quantize.normalize' }) : z; // [L, T]
    const ids = vqNearest(gpu, zn, this.codebook, 'quantize'); // [L]
    const out = (await gpu.read(ids)) as Int32Array;
    for (const t of new Set([z, zn, ids])) t.release();
    return out;
  }

  /** Frees the weights; the tokenizer must not be used afterwards. */
  dispose(): void {
    for (const t of this.owned) t.release();
  }

  private requireEncoder(): Encoder {
    if (!this.encoder) {
      throw badInput(
        'this TiTok tokenizer was loaded without its encoder',
        'load it with { encoder: true } to encode images',
      );
    }
    return this.encoder;
  }

  private checkIds(ids: Int32Array): void {
    const { numLatentTokens: L, codebookSize: K } = this.config;
    if (ids.length !== L) throw badInput(`tokens: TiTok takes ${L} token ids, got ${ids.length}`);
    const bad = ids.findIndex((id) => !(id >= 0 && id <= K));
    if (bad >= 0) {
      throw badInput(
        `tokens: id ${ids[bad]} at position ${bad} is outside 0 … ${K}`,
        `ids are codes 0 … ${K - 1}, or ${K} for a token left out`,
      );
    }
  }

  private checkPixels(pixels: Float32Array): void {
    const S = this.config.imageSize;
    if (pixels.length !== 3 * S * S) {
      throw badInput(
        `image: TiTok takes 3 × ${S} × ${S} = ${3 * S * S} values (RGB, channel-major), got ${pixels.length}`,
      );
    }
    const bad = pixels.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      const [c, y, x] = [Math.floor(bad / (S * S)), Math.floor((bad % (S * S)) / S), bad % S];
      throw badInput(
        `image: channel ${c} at (${x}, ${y}) is ${pixels[bad]}; pixel values must be finite numbers in [0, 1]`,
      );
    }
  }
}

/** quantize.embedding [K, T], l2-normalised per row (in float64, then rounded) when use_l2_norm. */
async function loadCodebook(w: WeightLoader, c: TitokTokenizerConfig): Promise<Tensor> {
  const { codebookSize: K, tokenSize: T } = c;
  const book = await w.host('quantize.embedding.weight', [K, T]); // [K, T]
  if (c.useL2Norm) {
    for (let k = 0; k < K; k++) {
      const row = book.subarray(k * T, (k + 1) * T);
      const norm = Math.max(Math.hypot(...row), 1e-12); // F.normalize's eps
      for (let i = 0; i < T; i++) row[i] /= norm;
    }
  }
  return w.upload(book, [K, T], 'quantize.embedding');
}

async function loadDecoder(w: WeightLoader, c: TitokTokenizerConfig): Promise<Decoder> {
  const { width: Wd, numLayers, numHeads, patchSize } = c.decoder;
  const { numLatentTokens: L, tokenSize: T, pixelDecoder: px } = c;
  const G2 = (c.imageSize / patchSize) ** 2;
  const Kp = px.numEmbeddings;
  const cls = await w.host('decoder.class_embedding', [1, Wd]); // [1, Wd]
  const pos = await w.host('decoder.positional_embedding', [1 + G2, Wd]); // [1 + G², Wd]
  const mask = await w.host('decoder.mask_token', [1, 1, Wd]); // [1, 1, Wd]
  const prefix = new Float32Array((1 + G2) * Wd); // [1 + G², Wd]
  for (let r = 0; r <= G2; r++) {
    const base = r === 0 ? cls : mask;
    for (let i = 0; i < Wd; i++) prefix[r * Wd + i] = base[i] + pos[r * Wd + i];
  }
  const pixelBook = await w.host('pixel_quantize.embedding.weight', [Kp, px.zChannels]); // [Kp, Dz]
  const pixelBookT = new Float32Array(Kp * px.zChannels); // [Dz, Kp]
  for (let k = 0; k < Kp; k++)
    for (let d = 0; d < px.zChannels; d++) pixelBookT[d * Kp + k] = pixelBook[k * px.zChannels + d];
  return {
    vit: await loadVit(w, 'decoder.transformer.', Wd, numLayers, numHeads),
    prefix: w.upload(prefix, [1 + G2, Wd], 'decoder.prefix'),
    embed: {
      w: await w.tensor('decoder.decoder_embed.weight', [Wd, T]),
      b: await w.tensor('decoder.decoder_embed.bias', [Wd]),
      label: 'decoder.decoder_embed',
    },
    latentPos: await w.tensor('decoder.latent_token_positional_embedding', [L, Wd]),
    lnPre: await loadTorchNorm(w, 'decoder.ln_pre', Wd),
    lnPost: await loadTorchNorm(w, 'decoder.ln_post', Wd),
    ffn0: await pointwiseConv(w, 'decoder.ffn.0', 2 * Wd, Wd),
    ffn2: await pointwiseConv(w, 'decoder.ffn.2', Kp, 2 * Wd),
    pixelCodebookT: w.upload(pixelBookT, [px.zChannels, Kp], 'pixel_quantize.embedding.T'),
    pixel: await loadPixelDecoder(w, 'pixel_decoder.', px),
  };
}

async function loadEncoder(w: WeightLoader, c: TitokTokenizerConfig): Promise<Encoder> {
  const { width: We, numLayers, numHeads, patchSize: p } = c.encoder;
  const { numLatentTokens: L, tokenSize: T } = c;
  const G2 = (c.imageSize / p) ** 2;
  const cls = await w.host('encoder.class_embedding', [1, We]); // [1, We]
  const pos = await w.host('encoder.positional_embedding', [1 + G2, We]); // [1 + Ge², We]
  const latent = await w.host('latent_tokens', [L, We]); // [L, We]
  const latentPos = await w.host('encoder.latent_token_positional_embedding', [L, We]); // [L, We]
  return {
    vit: await loadVit(w, 'encoder.transformer.', We, numLayers, numHeads),
    patchEmbed: {
      w: w.upload(
        await w.host('encoder.patch_embed.weight', [We, 3, p, p]),
        [We, 3 * p * p],
        'encoder.patch_embed.weight',
      ),
      b: await w.tensor('encoder.patch_embed.bias', [We]),
      label: 'encoder.patch_embed',
    },
    clsRow: w.upload(
      Float32Array.from(cls, (v, i) => v + pos[i]),
      [1, We],
      'encoder.class_row',
    ),
    patchPos: w.upload(pos.slice(We), [G2, We], 'encoder.patch_positions'),
    latentRows: w.upload(
      Float32Array.from(latent, (v, i) => v + latentPos[i]),
      [L, We],
      'encoder.latent_rows',
    ),
    lnPre: await loadTorchNorm(w, 'encoder.ln_pre', We),
    lnPost: await loadTorchNorm(w, 'encoder.ln_post', We),
    convOut: await pointwiseConv(w, 'encoder.conv_out', T, We),
  };
}

/** A 1×1 Conv2d [out, in, 1, 1] as the linear [out, in] it is. */
async function pointwiseConv(w: WeightLoader, name: string, nOut: number, nIn: number): Promise<TorchLinear> {
  return {
    w: w.upload(await w.host(`${name}.weight`, [nOut, nIn, 1, 1]), [nOut, nIn], `${name}.weight`),
    b: await w.tensor(`${name}.bias`, [nOut]),
    label: name,
  };
}
