// MDLM's DDiT (Sahoo et al. 2024, kuleshov-group/mdlm models/dit.py; the backbone of SEDD): a
// bidirectional transformer over token ids, conditioned on the noise level σ through adaLN. Per block:
// x += gate_msa · attn_out(attention(rope(qkv(modulate(LN(x), shift_msa, scale_msa)))));
// x += gate_mlp · mlp(modulate(LN(x), shift_mlp, scale_mlp)). LayerNorms have no bias, qkv/attn_out
// no bias, the MLP is 4× with GELU-tanh; the final layer modulates, normalises and projects to the
// vocabulary with a biased linear. c = SiLU(MLP(sinusoidal(σ))). With time_conditioning false σ is
// zeroed, so c — and every block's shift/scale/gate — is computed once at load.
// Tensor names are those of kuleshov-group/mdlm-owt, with or without the "backbone." prefix.
// Without retraining, a forward may swap dense attention for block top-K or LLSA (attentionMode.ts),
// or merge tokens (tokenMerge.ts): see `MdlmForwardOptions`. A dense forward can also hand out one
// block's q, k, v of one head (`MdlmCapture`), e.g. for the attention lab.

import type { Gpu } from '../gpu/gpu.ts';
import { view, type Tensor } from '../gpu/tensor.ts';
import type { CheckpointReader } from '../formats/checkpoint.ts';
import type { MdlmConfig } from '../formats/config.ts';
import { gatedAdd, modulate } from '../kernels/adaln.ts';
import { attention } from '../kernels/attention.ts';
import { embedding } from '../kernels/embedding.ts';
import { layerNorm } from '../kernels/layernorm.ts';
import { matmul } from '../kernels/matmul.ts';
import { ropeTable, rope, type RopeTable } from '../kernels/rope.ts';
import { proportionalAttention } from '../kernels/tome.ts';
import { gelu, silu } from '../kernels/unary.ts';
import { badInput } from '../shared/errors.ts';
import {
  attentionSpan,
  bidirectionalAttention,
  checkAttentionFits,
  checkModelAttention,
  describeAttention,
  DENSE,
  isDense,
  type ModelAttention,
} from './attentionMode.ts';
import { BlockMerge } from './tokenMerge.ts';
import { WeightLoader } from './weights.ts';

/** Width of the sinusoidal σ embedding (TimestepEmbedder's frequency_embedding_size). */
const FREQ_DIM = 256;

/** ids followed by [MASK] up to n tokens. */
function padWith(ids: Int32Array, n: number, maskId: number): Int32Array {
  const out = new Int32Array(n).fill(maskId);
  out.set(ids);
  return out;
}

interface Block {
  norm1: Tensor; // [D]
  q: Tensor; // [D, D] rows 0 … D−1 of attn_qkv.weight
  k: Tensor; // [D, D]
  v: Tensor; // [D, D]
  out: Tensor; // attn_out.weight [D, D]
  norm2: Tensor; // [D]
  mlp0: { w: Tensor; b: Tensor }; // [4D, D], [4D]
  mlp2: { w: Tensor; b: Tensor }; // [D, 4D], [D]
  ada: { w: Tensor; b: Tensor }; // [6D, cond], [6D]
}

/** One block's conditioning: six [D] vectors (shift, scale, gate for attention, then for the MLP). */
type Modulation = [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];

/** Which head of which block a forward hands out, and to whom. */
export interface MdlmCapture {
  layer: number; // block, 0 … n_blocks − 1
  head: number; // attention head, 0 … n_heads − 1
  /** Called once, during the forward, with that head's q and k (after RoPE: what attention sees) and
   *  v for all T positions, [T, Dh] each. They are released when it returns: copy what you keep. */
  onCapture(q: Tensor, k: Tensor, v: Tensor): void;
}

export interface MdlmForwardOptions extends ModelAttention {
  /** Every block's keys and values are written here (and read, with `rows`). Dense attention only. */
  cache?: MdlmKvCache;
  /** Sorted positions to compute over a filled cache (see `forward`). */
  rows?: number[];
  /** Hands one block's q, k, v of one head out. Dense attention over every position only. */
  capture?: MdlmCapture;
}

export class Mdlm {
  readonly architecture = 'mdlm';
  private fixed: { blocks: Modulation[]; final: [Tensor, Tensor] } | null = null; // σ-independent conditioning

  private constructor(
    private readonly gpu: Gpu,
    readonly config: MdlmConfig,
    private readonly embed: Tensor, // [V, D]
    private readonly sigmaMlp: { w0: Tensor; b0: Tensor; w2: Tensor; b2: Tensor }, // [cond, 256], [cond], [cond, cond], [cond]
    private readonly blocks: Block[],
    private readonly final: { norm: Tensor; w: Tensor; b: Tensor; ada: { w: Tensor; b: Tensor } }, // [D], [V, D], [V], [2D, cond]
    private readonly rope: RopeTable,
    private readonly owned: Tensor[],
    readonly weightBytes: number,
  ) {}

  get vocabSize(): number {
    return this.config.vocabSize;
  }
  get contextLength(): number {
    return this.config.modelLength;
  }
  get maskTokenId(): number {
    return this.config.maskTokenId;
  }
  get timeConditioned(): boolean {
    return this.config.timeConditioning;
  }

  static async load(gpu: Gpu, config: MdlmConfig, checkpoint: CheckpointReader): Promise<Mdlm> {
    const { vocabSize: V, hiddenDim: D, condDim: K, nBlocks, headDim } = config;
    const w = new WeightLoader(
      gpu,
      checkpoint,
      `mdlm config (hidden_dim=${D}, cond_dim=${K}, n_blocks=${nBlocks}, vocab_size=${V})`,
    );
    const p = w.has('backbone.vocab_embed.embedding') ? 'backbone.' : '';
    const lin = async (name: string, nOut: number, nIn: number) => ({
      w: await w.tensor(`${p}${name}.weight`, [nOut, nIn]),
      b: await w.tensor(`${p}${name}.bias`, [nOut]),
    });
    const embed = await w.tensor(`${p}vocab_embed.embedding`, [V, D]);
    const s0 = await lin('sigma_map.mlp.0', K, FREQ_DIM);
    const s2 = await lin('sigma_map.mlp.2', K, K);
    const blocks: Block[] = [];
    for (let i = 0; i < nBlocks; i++) {
      const b = `blocks.${i}.`;
      const qkv = await w.host(`${p}${b}attn_qkv.weight`, [3 * D, D]);
      // attn_qkv's output is laid out (three, heads, head_dim): rows [0, D) are q, [D, 2D) k, [2D, 3D) v.
      blocks.push({
        norm1: await w.tensor(`${p}${b}norm1.weight`, [D]),
        q: w.upload(qkv.slice(0, D * D), [D, D], `${p}${b}attn_q`),
        k: w.upload(qkv.slice(D * D, 2 * D * D), [D, D], `${p}${b}attn_k`),
        v: w.upload(qkv.slice(2 * D * D), [D, D], `${p}${b}attn_v`),
        out: await w.tensor(`${p}${b}attn_out.weight`, [D, D]),
        norm2: await w.tensor(`${p}${b}norm2.weight`, [D]),
        mlp0: await lin(`${b}mlp.0`, 4 * D, D),
        mlp2: await lin(`${b}mlp.2`, D, 4 * D),
        ada: await lin(`${b}adaLN_modulation`, 6 * D, K),
      });
    }
    const final = {
      norm: await w.tensor(`${p}output_layer.norm_final.weight`, [D]),
      ...(await lin('output_layer.linear', V, D)),
      ada: await lin('output_layer.adaLN_modulation', 2 * D, K),
    };
    const table = w.guardSync(() =>
      ropeTable(gpu, { maxPos: config.modelLength, rotaryDim: headDim, theta: 10000 }, 'rope.table'),
    );
    w.adopt(table.table);
    const model = new Mdlm(
      gpu,
      config,
      embed,
      { w0: s0.w, b0: s0.b, w2: s2.w, b2: s2.b },
      blocks,
      final,
      table,
      await w.all(),
      w.bytes,
    );
    if (!config.timeConditioning) model.fixed = w.guardSync(() => model.conditioning(0));
    return model;
  }

  /** Every block's adaLN vectors and the final layer's shift/scale for noise level σ. */
  private conditioning(sigma: number): { blocks: Modulation[]; final: [Tensor, Tensor] } {
    const gpu = this.gpu;
    const D = this.config.hiddenDim;
    // Sinusoidal embedding of σ on the host: [cos(σ·f_i) …, sin(σ·f_i) …], f_i = 10000^(−i/128).
    const half = FREQ_DIM / 2;
    const freq = new Float32Array(FREQ_DIM);
    for (let i = 0; i < half; i++) {
      const f = Math.exp((-Math.log(10000) * i) / half);
      freq[i] = Math.cos(sigma * f);
      freq[half + i] = Math.sin(sigma * f);
    }
    const e = gpu.upload(freq, [1, FREQ_DIM], 'sigma.freq'); // [1, 256]
    const h0 = matmul(gpu, e, this.sigmaMlp.w0, { transB: true, bias: this.sigmaMlp.b0, label: 'sigma_map.0' }); // [1, cond]
    const h1 = silu(gpu, h0); // [1, cond]
    const h2 = matmul(gpu, h1, this.sigmaMlp.w2, { transB: true, bias: this.sigmaMlp.b2, label: 'sigma_map.2' }); // [1, cond]
    const c = silu(gpu, h2); // [1, cond]
    const split = (all: Tensor, n: number, label: string): Tensor[] =>
      Array.from({ length: n }, (_, j) => {
        const t = gpu.empty([D], 'f32', `${label}.${j}`); // [D]
        gpu.copy(all, j * D, t, 0, D);
        return t;
      });
    const blocks = this.blocks.map((b, i) => {
      const m = matmul(gpu, c, b.ada.w, { transB: true, bias: b.ada.b, label: 'adaLN' }); // [1, 6D]
      const parts = split(m, 6, `blocks.${i}.adaLN`) as Modulation;
      m.release();
      return parts;
    });
    const fm = matmul(gpu, c, this.final.ada.w, { transB: true, bias: this.final.ada.b, label: 'adaLN' }); // [1, 2D]
    const final = split(fm, 2, 'output_layer.adaLN') as [Tensor, Tensor];
    for (const t of [e, h0, h1, h2, c, fm]) t.release();
    return { blocks, final };
  }

  /** A cache of every block's keys and values for sequences of `length` tokens. */
  newCache(length: number): MdlmKvCache {
    return new MdlmKvCache(this.gpu, this.config.nBlocks, length, this.config.nHeads, this.config.headDim);
  }

  /**
   * Raw logits (before SUBS) for ids [T] at noise level σ; the mask id is a valid input.
   * Without `rows`: every position, logits [T, V]; with a `cache`, every block's keys and values are
   * stored in it too. With `rows` (sorted positions) and a filled `cache`: only those positions are
   * computed — their keys and values replace the cached ones, and they attend over the cached keys
   * and values of all T positions — giving logits [rows.length, V]. This is what the step caches of
   * Fast-dLLM and dKV-Cache build on: positions outside `rows` keep their (possibly stale) entries.
   * `attention` and `mergeRatio` (default dense, 0: the trained model) approximate the attention;
   * they do not combine with a cache. Sparse attention pools blocks of B^L tokens: a sequence that is
   * not a multiple of B^L is padded at the end with [MASK] — for a masked diffusion model, text not
   * written yet — and the padding's logits are dropped (see `paddedLength`).
   */
  forward(ids: Int32Array, sigma: number, options: MdlmForwardOptions = {}): Tensor {
    const gpu = this.gpu;
    const { hiddenDim: D, nHeads: H, headDim: Dh, vocabSize: V } = this.config;
    const T = ids.length;
    if (T < 1 || T > this.contextLength) throw badInput(`mdlm takes 1 … ${this.contextLength} tokens; got ${T}`);
    for (const id of ids)
      if (!(id >= 0 && id < V)) throw badInput(`token id ${id} is outside the vocabulary (0 … ${V - 1})`);
    if (!Number.isFinite(sigma) || sigma < 0) throw badInput(`σ must be a finite number ≥ 0; got ${sigma}`);
    const { cache, rows, capture } = options;
    if (cache && cache.length !== T) throw badInput(`the cache holds ${cache.length} positions, the sequence ${T}`);
    if (rows && !(cache && cache.filled)) throw badInput('computing a subset of rows needs a filled cache');
    const N = this.paddedLength(T, options); // tokens run through the blocks
    if (cache && !isDense(options)) {
      throw badInput(
        `the step caches run with dense attention only; got ${describeAttention(options)}`,
        'use no cache, or dense attention without token merging',
      );
    }
    if (capture) this.checkCapture(capture, options);
    const setting = options.attention ?? DENSE;
    const ratio = options.mergeRatio ?? 0;
    const R = rows ? rows.length : N;
    if (R < 1) throw badInput('no rows to compute');
    const cond = this.fixed ?? this.conditioning(sigma);

    const input = rows ? Int32Array.from(rows, (j) => ids[j]) : N > T ? padWith(ids, N, this.maskTokenId) : ids;
    const idT = gpu.upload(input, [R], 'ids'); // [R]
    const posT = rows ? gpu.upload(Int32Array.from(rows), [R], 'positions') : undefined; // [R]
    let x = embedding(gpu, idT, this.embed); // [R, D]
    idT.release();
    this.blocks.forEach((b, i) => {
      const [shiftA, scaleA, gateA, shiftM, scaleM, gateM] = cond.blocks[i];
      // Token merging: one plan per block from its input; both branches (attention, then the MLP with
      // the same plan) run on M ≤ R tokens and are unmerged before their residual add. tomesd leaves
      // the MLP alone by default; here it is most of a block's work, and merging it too measured only
      // about a tenth more deviation on brown-mdlm (relative L2 of the logits 0.024 vs 0.022 at 0.5).
      const merge = ratio > 0 ? BlockMerge.plan(gpu, x, { ratio, seed: i, label: `blocks.${i}.tomesd` }) : null;
      const M = merge ? merge.kept : R;
      const n1 = layerNorm(gpu, x, b.norm1, null); // [R, D]
      const h = modulate(gpu, n1, shiftA, scaleA); // [R, D]
      const hm = merge ? merge.merge(h) : h; // [M, D]
      const q0 = matmul(gpu, hm, b.q, { transB: true, label: 'attn_q' }); // [M, D] = [M, H, Dh]
      const k0 = matmul(gpu, hm, b.k, { transB: true, label: 'attn_k' }); // [M, D]
      const v = matmul(gpu, hm, b.v, { transB: true, label: 'attn_v' }); // [M, D]
      // A merged slot sits at the position of the token that opens it (its destination).
      const positions = merge ? merge.positions : posT;
      const q = rope(gpu, view(q0, [M, H, Dh]), this.rope, { layout: 'rotate-half', positions }); // [M, H, Dh]
      const k = rope(gpu, view(k0, [M, H, Dh]), this.rope, { layout: 'rotate-half', positions }); // [M, H, Dh]
      cache?.write(i, k, v, rows);
      // Bidirectional: every row attends over all positions (from the cache when computing a subset).
      const vh = view(v, [M, H, Dh]);
      if (capture?.layer === i) this.captureHead(capture, q, k, vh);
      const a = rows
        ? attention(gpu, q, cache!.keys[i], cache!.values[i]) // [R, H, Dh]
        : merge
          ? proportionalAttention(gpu, q, k, vh, merge.size) // [M, H, Dh]
          : bidirectionalAttention(gpu, q, k, vh, setting); // [N, H, Dh]
      const om = matmul(gpu, view(a, [M, D]), b.out, { transB: true, label: 'attn_out' }); // [M, D]
      const o = merge ? merge.unmerge(om) : om; // [R, D]
      const x1 = gatedAdd(gpu, x, gateA, o); // [R, D]
      for (const t of new Set([n1, h, hm, q0, k0, v, q, k, a, om, o, x])) t.release();
      const n2 = layerNorm(gpu, x1, b.norm2, null); // [R, D]
      const h2 = modulate(gpu, n2, shiftM, scaleM); // [R, D]
      const h2m = merge ? merge.merge(h2) : h2; // [M, D]
      const f = matmul(gpu, h2m, b.mlp0.w, { transB: true, bias: b.mlp0.b, label: 'mlp.0' }); // [M, 4D]
      const g = gelu(gpu, f); // [M, 4D]
      const mm = matmul(gpu, g, b.mlp2.w, { transB: true, bias: b.mlp2.b, label: 'mlp.2' }); // [M, D]
      const m = merge ? merge.unmerge(mm) : mm; // [R, D]
      x = gatedAdd(gpu, x1, gateM, m); // [R, D]
      for (const t of new Set([x1, n2, h2, h2m, f, g, mm, m])) t.release();
      merge?.release();
    });
    posT?.release();
    if (cache) cache.filled = true;
    if (N > T) {
      const kept = gpu.empty([T, D], 'f32', 'unpadded'); // [T, D]
      gpu.copy(x, 0, kept, 0, T * D);
      x.release();
      x = kept;
    }
    const nf = layerNorm(gpu, x, this.final.norm, null); // [T, D] (or [R, D])
    const hf = modulate(gpu, nf, cond.final[0], cond.final[1]); // [T, D]
    const logits = matmul(gpu, hf, this.final.w, { transB: true, bias: this.final.b, label: 'output_layer' }); // [T, V]
    for (const t of [x, nf, hf]) t.release();
    if (!this.fixed) for (const t of [...cond.blocks.flat(), ...cond.final]) t.release();
    return logits;
  }

  /** 'bad-input' unless the forward is dense over every position and the layer and head exist. */
  private checkCapture(capture: MdlmCapture, options: MdlmForwardOptions): void {
    const { nBlocks, nHeads } = this.config;
    if (!isDense(options) || options.rows) {
      throw badInput(
        `capturing q, k, v needs dense attention over every position; got ${options.rows ? 'a subset of rows' : describeAttention(options)}`,
      );
    }
    const { layer, head } = capture;
    if (!(Number.isInteger(layer) && layer >= 0 && layer < nBlocks)) {
      throw badInput(`layer ${layer} is outside the model's blocks 0 … ${nBlocks - 1}`);
    }
    if (!(Number.isInteger(head) && head >= 0 && head < nHeads)) {
      throw badInput(`head ${head} is outside the model's heads 0 … ${nHeads - 1}`);
    }
  }

  /** Hands head `capture.head` of q, k, v [T, H, Dh] to `capture` as [T, Dh] tensors: one copy per
   *  position and tensor, recorded in order with the forward's dispatches (no kernel needed). */
  private captureHead(capture: MdlmCapture, q: Tensor, k: Tensor, v: Tensor): void {
    const [T, H, Dh] = q.shape;
    const headOf = (src: Tensor, name: string): Tensor => {
      const out = this.gpu.empty([T, Dh], 'f32', `capture.${name}`); // [T, Dh]
      for (let t = 0; t < T; t++) this.gpu.copy(src, (t * H + capture.head) * Dh, out, t * Dh, Dh);
      return out;
    };
    const [hq, hk, hv] = [headOf(q, 'q'), headOf(k, 'k'), headOf(v, 'v')];
    try {
      capture.onCapture(hq, hk, hv);
    } finally {
      for (const t of [hq, hk, hv]) t.release();
    }
  }

  /** Tokens a forward of T tokens runs with these options: T, or the next multiple of the sparse
   *  attention's B^L (the padding is [MASK]). Checks the options: 'bad-input' when they are invalid
   *  or do not fit the model's context. */
  paddedLength(T: number, options: ModelAttention): number {
    checkModelAttention(options);
    const setting = options.attention ?? DENSE;
    const span = attentionSpan(setting);
    const N = Math.ceil(T / span) * span;
    if (N > this.contextLength) {
      throw badInput(
        `${describeAttention(options)} pads the ${T} tokens to a multiple of B^L = ${span}: ${N}, more than the model's context of ${this.contextLength}`,
        'use a smaller block size or fewer levels',
      );
    }
    checkAttentionFits(setting, N, this.config.nHeads);
    return N;
  }

  dispose(): void {
    for (const t of this.owned) t.release();
    if (this.fixed) for (const t of [...this.fixed.blocks.flat(), ...this.fixed.final]) t.release();
  }
}

/** Keys (after RoPE) and values of every block for every position of one sequence. */
export class MdlmKvCache {
  filled = false; // true once a full forward has written every position
  readonly keys: Tensor[]; // per block [T, H, Dh]
  readonly values: Tensor[]; // per block [T, H, Dh]
  private readonly width: number; // H · Dh

  constructor(
    private readonly gpu: Gpu,
    blocks: number,
    readonly length: number,
    heads: number,
    headDim: number,
  ) {
    this.width = heads * headDim;
    const shape = [length, heads, headDim];
    this.keys = Array.from({ length: blocks }, (_, i) => gpu.empty(shape, 'f32', `mdlm.kv.k.${i}`));
    this.values = Array.from({ length: blocks }, (_, i) => gpu.empty(shape, 'f32', `mdlm.kv.v.${i}`));
  }

  /** Writes block i's k and v rows ([R, D]) at `rows` (every position when absent), one copy per
   *  contiguous run of positions. */
  write(i: number, k: Tensor, v: Tensor, rows?: number[]): void {
    const D = this.width;
    const positions = rows ?? Array.from({ length: this.length }, (_, j) => j);
    let start = 0;
    for (let r = 1; r <= positions.length; r++) {
      if (r < positions.length && positions[r] === positions[r - 1] + 1) continue;
      const len = r - start;
      this.gpu.copy(k, start * D, this.keys[i], positions[start] * D, len * D);
      this.gpu.copy(v, start * D, this.values[i], positions[start] * D, len * D);
      start = r;
    }
  }

  release(): void {
    for (const t of [...this.keys, ...this.values]) t.release();
  }
}
