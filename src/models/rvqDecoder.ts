// The decoder half of Stepwise's residual-VQ image tokenizer (train/emoji_rvq.py, model_type
// "stepwise-rvq"): a latent_size² grid of RVQ codes → an image_size² RGB image in [-1, 1].
//   z = Σ_{d < depths} codebook_d[codes[·, d]]                          [Dz, L, L], masked codes add 0
//   h = conv_in(post_quant_conv(z))                                      1×1, then 3×3 → [ch₀, L, L]
//   per level i: h = ResBlock_i(h); between levels h = up_i(upsample2x(h))   L → 2L → … → S
//   rgb = conv_out(silu(norm_out(h)))                                    [3, S, S]
// ResBlock(h) = h + conv2(silu(norm2(conv1(silu(norm1(h)))))), 3×3 convs, GroupNorm(norm_groups).
// Tensor names are the training script's: quantizer.layers.{d}.codebook [K, Dz], decoder.*.

import type { Gpu } from '../gpu/gpu.ts';
import { view, type Tensor } from '../gpu/tensor.ts';
import type { RvqConfig } from '../formats/config.ts';
import type { LoadedModel } from '../formats/modelFolder.ts';
import { conv2d } from '../kernels/conv2d.ts';
import { add } from '../kernels/elementwise.ts';
import { groupNorm } from '../kernels/groupnorm.ts';
import { rvqDecode } from '../kernels/rvq.ts';
import { upsample2x } from '../kernels/upsample.ts';
import { badInput, StepwiseError } from '../shared/errors.ts';
import { WeightLoader } from './weights.ts';

interface Conv {
  w: Tensor; // [Cout, Cin, k, k]
  b: Tensor; // [Cout]
  label: string; // the checkpoint name without .weight / .bias, for kernel labels
}

interface Norm {
  w: Tensor; // [C]
  b: Tensor; // [C]
  label: string;
}

interface ResBlock {
  norm1: Norm;
  conv1: Conv; // 3×3, C → C
  norm2: Norm;
  conv2: Conv; // 3×3, C → C
}

export class RvqDecoder {
  readonly architecture = 'stepwise-rvq';

  private constructor(
    private readonly gpu: Gpu,
    readonly config: RvqConfig,
    private readonly codebooks: Tensor, // [D, K, Dz], every depth's codebook stacked
    private readonly postQuant: Conv, // 1×1, Dz → Dz
    private readonly convIn: Conv, // 3×3, Dz → ch₀
    private readonly blocks: ResBlock[], // one per level
    private readonly up: Conv[], // 3×3, ch_i → ch_{i+1}, after each upsampling
    private readonly normOut: Norm, // [ch_last]
    private readonly convOut: Conv, // 3×3, ch_last → 3
    private readonly owned: Tensor[],
    readonly weightBytes: number, // GPU bytes held by the weights
  ) {}

  /** Side of the token grid (positions = gridSize², raster order). */
  get gridSize(): number {
    return this.config.latentSize;
  }
  /** Side of the decoded image, pixels. */
  get imageSize(): number {
    return this.config.imageSize;
  }
  /** RVQ depths, D (codes per position). */
  get numQuantizers(): number {
    return this.config.numQuantizers;
  }
  /** Codes per depth, K; the id K marks a code not known yet. */
  get codebookSize(): number {
    return this.config.codebookSize;
  }

  static async load(gpu: Gpu, model: LoadedModel): Promise<RvqDecoder> {
    const c = model.config;
    if (c.modelType !== 'stepwise-rvq') {
      throw badInput(
        `${model.folder} is a "${c.modelType}" model, not an RVQ image tokenizer`,
        'pick a stepwise-rvq model (e.g. emoji-rvq) as the image decoder',
      );
    }
    const { codebookSize: K, numQuantizers: D, codebookDim: Dz, decoderChannels: ch } = c;
    const w = new WeightLoader(
      gpu,
      model.checkpoint,
      `stepwise-rvq config (codebook_size=${K}, num_quantizers=${D}, codebook_dim=${Dz}, decoder_channels=[${ch.join(', ')}])`,
    );
    const conv = async (name: string, cout: number, cin: number, k: number): Promise<Conv> => ({
      w: await w.tensor(`decoder.${name}.weight`, [cout, cin, k, k]),
      b: await w.tensor(`decoder.${name}.bias`, [cout]),
      label: `decoder.${name}`,
    });
    const norm = async (name: string, channels: number): Promise<Norm> => ({
      w: await w.tensor(`decoder.${name}.weight`, [channels]),
      b: await w.tensor(`decoder.${name}.bias`, [channels]),
      label: `decoder.${name}`,
    });
    const books = new Float32Array(D * K * Dz); // [D, K, Dz]
    for (let d = 0; d < D; d++) books.set(await w.host(`quantizer.layers.${d}.codebook`, [K, Dz]), d * K * Dz);
    const codebooks = w.upload(books, [D, K, Dz], 'quantizer.codebooks');
    const postQuant = await conv('post_quant_conv', Dz, Dz, 1);
    const convIn = await conv('conv_in', ch[0], Dz, 3);
    const blocks: ResBlock[] = [];
    for (let i = 0; i < ch.length; i++) {
      blocks.push({
        norm1: await norm(`blocks.${i}.norm1`, ch[i]),
        conv1: await conv(`blocks.${i}.conv1`, ch[i], ch[i], 3),
        norm2: await norm(`blocks.${i}.norm2`, ch[i]),
        conv2: await conv(`blocks.${i}.conv2`, ch[i], ch[i], 3),
      });
    }
    const up: Conv[] = [];
    for (let i = 0; i + 1 < ch.length; i++) up.push(await conv(`up.${i}`, ch[i + 1], ch[i], 3));
    const normOut = await norm('norm_out', ch[ch.length - 1]);
    const convOut = await conv('conv_out', 3, ch[ch.length - 1], 3);
    return new RvqDecoder(gpu, c, codebooks, postQuant, convIn, blocks, up, normOut, convOut, await w.all(), w.bytes);
  }

  /** Decodes a token grid: codes [P, D] position-major (codes[p · D + d], P = gridSize², raster order),
   *  summing the first `depths` depths; an id ≥ K is a masked code and contributes nothing.
   *  → [3, S, S] RGB in [-1, 1] (not clamped). The caller releases the result. */
  decode(codes: Int32Array, depths: number): Tensor {
    const { latentSize: L, numQuantizers: D, codebookSize: K, codebookDim: Dz } = this.config;
    const P = L * L;
    if (codes.length !== P * D) {
      throw badInput(
        `codes: expected ${P * D} ids (${L}×${L} positions × ${D} depths, position-major), got ${codes.length}`,
      );
    }
    const negative = codes.findIndex((id) => id < 0);
    if (negative >= 0) {
      throw badInput(
        `codes: id ${codes[negative]} at position ${Math.floor(negative / D)}, depth ${negative % D} is negative`,
        `codes are 0 … ${K - 1}, or ${K} for a code not known yet`,
      );
    }
    if (!Number.isInteger(depths) || depths < 1 || depths > D) {
      throw badInput(`depths must be an integer in 1 … ${D}, got ${depths}`);
    }
    const gpu = this.gpu;
    const ids = gpu.upload(codes, [P, D], 'rvq.codes'); // [P, D]
    const z = rvqDecode(gpu, ids, this.codebooks, { depths, label: 'quantizer' }); // [Dz, P]
    ids.release();
    const zq = this.conv(view(z, [Dz, L, L]), this.postQuant); // [Dz, L, L]
    z.release();
    let h = this.conv(zq, this.convIn); // [ch₀, L, L]
    zq.release();
    this.blocks.forEach((block, i) => {
      const r = this.resBlock(h, block); // [ch_i, s, s]
      h.release();
      h = r;
      if (i < this.up.length) {
        const u = upsample2x(gpu, h, `decoder.up.${i}.upsample`); // [ch_i, 2s, 2s]
        h.release();
        h = this.conv(u, this.up[i]); // [ch_{i+1}, 2s, 2s]
        u.release();
      }
    });
    const n = this.norm(h, this.normOut); // [ch_last, S, S]
    h.release();
    const rgb = this.conv(n, this.convOut); // [3, S, S]
    n.release();
    return rgb;
  }

  /** Frees the weights; the decoder must not be used afterwards. */
  dispose(): void {
    for (const t of this.owned) t.release();
  }

  private conv(x: Tensor, c: Conv): Tensor {
    return conv2d(this.gpu, x, c.w, c.b, { label: c.label });
  }

  /** silu(GroupNorm(x)), the only way the decoder uses its norms. */
  private norm(x: Tensor, n: Norm): Tensor {
    return groupNorm(this.gpu, x, this.config.normGroups, n.w, n.b, {
      eps: this.config.normEps,
      silu: true,
      label: n.label,
    });
  }

  /** h + conv2(silu(norm2(conv1(silu(norm1(h)))))); h is left to the caller. */
  private resBlock(h: Tensor, b: ResBlock): Tensor {
    const a = this.norm(h, b.norm1); // [C, s, s]
    const c1 = this.conv(a, b.conv1);
    const n2 = this.norm(c1, b.norm2);
    const c2 = this.conv(n2, b.conv2);
    const out = add(this.gpu, h, c2, `${b.conv2.label}.residual`);
    for (const t of [a, c1, n2, c2]) t.release();
    return out;
  }
}

/** How decoder outputs map to 8-bit colour: "signed" images live in [-1, 1] (Stepwise's RVQ decoder),
 *  "unit" ones in [0, 1] (TiTok's). */
export type PixelRange = 'signed' | 'unit';

/** An RGB image [3, H, W] as RGBA bytes, row-major (ImageData's layout): each channel is clamped to
 *  the range and mapped to 0 … 255 (signed: round((x + 1) / 2 · 255); unit: round(x · 255)); alpha is 255. */
export async function toRgba(gpu: Gpu, rgb: Tensor, range: PixelRange = 'signed'): Promise<Uint8ClampedArray> {
  if (rgb.shape.length !== 3 || rgb.shape[0] !== 3 || rgb.dtype !== 'f32') {
    throw new StepwiseError(
      'internal',
      `toRgba: ${rgb.label} is ${rgb.dtype} [${rgb.shape.join(', ')}], expected f32 [3, H, W]`,
    );
  }
  const pixels = rgb.shape[1] * rgb.shape[2];
  const data = await gpu.read(rgb); // [3, H, W]
  const out = new Uint8ClampedArray(pixels * 4); // [H, W, 4]
  for (let p = 0; p < pixels; p++) {
    for (let ch = 0; ch < 3; ch++) {
      const x = data[ch * pixels + p];
      const unit = range === 'signed' ? (Math.min(1, Math.max(-1, x)) + 1) / 2 : Math.min(1, Math.max(0, x));
      out[p * 4 + ch] = Math.round(unit * 255);
    }
    out[p * 4 + 3] = 255;
  }
  return out;
}
