// Stepwise's autoregressive generator over RVQ image tokens (train/emoji_ar.py): a class-conditional
// causal transformer over grid positions in raster order, with a KV cache over positions, and a depth
// head that predicts a position's codes in order, coarse to fine (RQ-Transformer style, its depth
// transformer reduced to an MLP over summed embeddings).
//   slot 0 input: class_embedding[c] + wpe[0]; slot s ≥ 1: Σ_d wte_d[code(s−1, d)] + wpe[s]
//   h = ln_f(causal GPT-2 blocks) — slot s predicts position s
//   depth d: u = h_s + Σ_{d'<d} depth_embedding_{d'}[code(s, d')]; v = u + mlp(ln(u)); logits = head_d(v)
// Token layout: sequence index i = position · depths + depth (position = y · width + x).

import type { Gpu } from '../gpu/gpu.ts';
import { view, type Tensor } from '../gpu/tensor.ts';
import type { CheckpointReader } from '../formats/checkpoint.ts';
import type { ArImageConfig } from '../formats/config.ts';
import { attention } from '../kernels/attention.ts';
import { add } from '../kernels/elementwise.ts';
import { embedding } from '../kernels/embedding.ts';
import { layerNorm } from '../kernels/layernorm.ts';
import { matmul } from '../kernels/matmul.ts';
import { gelu } from '../kernels/unary.ts';
import { badInput } from '../shared/errors.ts';
import { loadGpt2Block, loadLinear, loadNorm, type Gpt2Block, type Linear, type Norm } from './gpt2Block.ts';
import { KvCache } from './kvCache.ts';
import { WeightLoader } from './weights.ts';

export class ArImage {
  readonly architecture = 'stepwise-ar';

  private constructor(
    private readonly gpu: Gpu,
    readonly config: ArImageConfig,
    private readonly classEmbedding: Tensor, // [numClasses + 1, C]
    private readonly wte: Tensor[], // per depth [K, C]: codes of the previous position
    private readonly wpe: Tensor, // [P, C]
    private readonly blocks: Gpt2Block[],
    private readonly lnF: Norm, // [C]
    private readonly depthEmbedding: Tensor[], // per depth < D − 1 [K, C]: coarser codes of the same position
    private readonly depthMlp: { ln: Norm; fc: Linear; proj: Linear }, // [C], [C, 4C], [4C, C]
    private readonly depthHead: Linear[], // per depth [C, K]
    private readonly owned: Tensor[],
    readonly weightBytes: number,
  ) {}

  get nullClass(): number {
    return this.config.numClasses;
  }

  static async load(gpu: Gpu, config: ArImageConfig, checkpoint: CheckpointReader): Promise<ArImage> {
    const { codebookSize: K, numQuantizers: D, nPositions: P, nEmbd: C, nLayer, numClasses } = config;
    const w = new WeightLoader(gpu, checkpoint, `stepwise-ar config (n_embd=${C}, n_layer=${nLayer})`);
    const classEmbedding = await w.tensor('class_embedding.weight', [numClasses + 1, C]);
    const wte: Tensor[] = [];
    for (let d = 0; d < D; d++) wte.push(await w.tensor(`wte.${d}.weight`, [K, C]));
    const wpe = await w.tensor('wpe.weight', [P, C]);
    const blocks: Gpt2Block[] = [];
    for (let i = 0; i < nLayer; i++) blocks.push(await loadGpt2Block(w, `h.${i}.`, C, 4 * C));
    const lnF = await loadNorm(w, 'ln_f', C);
    const depthEmbedding: Tensor[] = [];
    for (let d = 0; d + 1 < D; d++) depthEmbedding.push(await w.tensor(`depth_embedding.${d}.weight`, [K, C]));
    const depthMlp = {
      ln: await loadNorm(w, 'depth_mlp.ln', C),
      fc: await loadLinear(w, 'depth_mlp.c_fc', C, 4 * C),
      proj: await loadLinear(w, 'depth_mlp.c_proj', 4 * C, C),
    };
    const depthHead: Linear[] = [];
    for (let d = 0; d < D; d++) depthHead.push(await loadLinear(w, `depth_head.${d}`, C, K));
    return new ArImage(
      gpu,
      config,
      classEmbedding,
      wte,
      wpe,
      blocks,
      lnF,
      depthEmbedding,
      depthMlp,
      depthHead,
      await w.all(),
      w.bytes,
    );
  }

  newCache(): KvCache {
    const { nLayer, nHead, headDim, nPositions } = this.config;
    return new KvCache(this.gpu, { layers: nLayer, kvHeads: nHead, headDim }, nPositions);
  }

  /**
   * Hidden states [T, C] of the next T slots s = cache.length … cache.length + T − 1, appending their
   * keys and values to the cache. Slot 0 reads the class; each slot s ≥ 1 reads the codes of position
   * s − 1, given in `prevCodes` [T', D] (T' = the slots ≥ 1 among them, in order).
   */
  hidden(prevCodes: Int32Array, classId: number, cache: KvCache): Tensor {
    const gpu = this.gpu;
    const { numQuantizers: D, nEmbd: C, nHead: H, headDim: Dh, codebookSize: K, numClasses } = this.config;
    const eps = this.config.layerNormEpsilon;
    const pos0 = cache.length;
    const withClass = pos0 === 0 ? 1 : 0;
    const rows = prevCodes.length / D; // slots that read codes
    const T = rows + withClass;
    if (!Number.isInteger(rows) || T < 1)
      throw badInput(`prevCodes holds ${prevCodes.length} ids, not a multiple of ${D}`);
    if (pos0 + T > this.config.nPositions) throw badInput(`slots ${pos0}…${pos0 + T - 1} run past the grid`);
    const bad = prevCodes.findIndex((t) => !(t >= 0 && t < K));
    if (bad >= 0) throw badInput(`code ${prevCodes[bad]} at ${bad} is outside 0…${K - 1}`);
    if (!(Number.isInteger(classId) && classId >= 0 && classId <= numClasses)) {
      throw badInput(`class id ${classId} is outside 0…${numClasses} (${numClasses} = no class)`);
    }

    // x [T, C]: the class row (slot 0), then Σ_d wte_d[code] per slot; plus the slots' positions.
    const x0 = gpu.empty([T, C], 'f32', 'ar.input'); // [T, C]
    if (withClass) {
      const id = gpu.upload(Int32Array.of(classId), [1], 'class id'); // [1]
      const e = embedding(gpu, id, this.classEmbedding, 'class_embedding'); // [1, C]
      gpu.copy(e, 0, x0, 0, C);
      id.release();
      e.release();
    }
    if (rows > 0) {
      let sum: Tensor | null = null;
      for (let d = 0; d < D; d++) {
        const ids = gpu.upload(
          Int32Array.from({ length: rows }, (_, r) => prevCodes[r * D + d]),
          [rows],
          `depth ${d} ids`,
        ); // [rows]
        const e = embedding(gpu, ids, this.wte[d], `wte.${d}`); // [rows, C]
        ids.release();
        const next: Tensor = sum ? add(gpu, sum, e) : e;
        if (sum) {
          sum.release();
          e.release();
        }
        sum = next;
      }
      gpu.copy(sum!, 0, x0, withClass * C, rows * C);
      sum!.release();
    }
    const posT = gpu.upload(
      Int32Array.from({ length: T }, (_, t) => pos0 + t),
      [T],
      'positions',
    ); // [T]
    const pos = embedding(gpu, posT, this.wpe, 'wpe'); // [T, C]
    let x = add(gpu, x0, pos); // [T, C]
    for (const t of [x0, posT, pos]) t.release();

    const kvLen = pos0 + T;
    this.blocks.forEach((b, l) => {
      const h = layerNorm(gpu, x, b.ln1.w, b.ln1.b, { eps }); // [T, C]
      const q = matmul(gpu, h, b.q.w, { bias: b.q.b }); // [T, C] = [T, H, Dh]
      const k = matmul(gpu, h, b.k.w, { bias: b.k.b }); // [T, C]
      const v = matmul(gpu, h, b.v.w, { bias: b.v.b }); // [T, C]
      cache.write(l, k, v, T);
      const a = attention(gpu, view(q, [T, H, Dh]), cache.keys[l], cache.values[l], {
        causal: true,
        qOffset: pos0,
        kvLen,
      }); // [T, H, Dh]
      const o = matmul(gpu, view(a, [T, C]), b.proj.w, { bias: b.proj.b }); // [T, C]
      const x1 = add(gpu, x, o); // [T, C]
      for (const t of [h, q, k, v, a, o, x]) t.release();
      const h2 = layerNorm(gpu, x1, b.ln2.w, b.ln2.b, { eps }); // [T, C]
      const f = matmul(gpu, h2, b.fc.w, { bias: b.fc.b }); // [T, 4C]
      const g = gelu(gpu, f); // [T, 4C]
      const m = matmul(gpu, g, b.fcProj.w, { bias: b.fcProj.b }); // [T, C]
      x = add(gpu, x1, m); // [T, C]
      for (const t of [x1, h2, f, g, m]) t.release();
    });
    cache.length = kvLen;
    const y = layerNorm(gpu, x, this.lnF.w, this.lnF.b, { eps }); // [T, C]
    x.release();
    return y;
  }

  /** Logits [R, K] of depth `depth` for hidden rows h [R, C], given the coarser codes at those
   *  positions: coarser [R, depth] (row-major; empty for depth 0). */
  depthLogits(h: Tensor, coarser: Int32Array, depth: number): Tensor {
    const gpu = this.gpu;
    const D = this.config.numQuantizers;
    const eps = this.config.layerNormEpsilon;
    const R = h.shape[0];
    if (!(Number.isInteger(depth) && depth >= 0 && depth < D)) throw badInput(`depth ${depth} is outside 0…${D - 1}`);
    if (coarser.length !== R * depth)
      throw badInput(`coarser codes: ${coarser.length} ids for ${R} rows × ${depth} depths`);
    // u = h + Σ_{d' < depth} depth_embedding_{d'}[code(d')]
    let u = h;
    for (let d = 0; d < depth; d++) {
      const ids = gpu.upload(
        Int32Array.from({ length: R }, (_, r) => coarser[r * depth + d]),
        [R],
        `coarser depth ${d}`,
      ); // [R]
      const e = embedding(gpu, ids, this.depthEmbedding[d], `depth_embedding.${d}`); // [R, C]
      const next = add(gpu, u, e); // [R, C]
      if (u !== h) u.release();
      for (const t of [ids, e]) t.release();
      u = next;
    }
    const { ln, fc, proj } = this.depthMlp;
    const n = layerNorm(gpu, u, ln.w, ln.b, { eps }); // [R, C]
    const f = matmul(gpu, n, fc.w, { bias: fc.b }); // [R, 4C]
    const g = gelu(gpu, f); // [R, 4C]
    const m = matmul(gpu, g, proj.w, { bias: proj.b }); // [R, C]
    const v = add(gpu, u, m); // [R, C]
    for (const t of [n, f, g, m]) t.release();
    if (u !== h) u.release();
    const head = this.depthHead[depth];
    const logits = matmul(gpu, v, head.w, { bias: head.b, label: `depth_head.${depth}` }); // [R, K]
    v.release();
    return logits;
  }

  /** Teacher-forced logits [P·D, K] of a whole token sequence [P·D] (every code known) under a class. */
  forward(tokens: Int32Array, classId: number): Tensor {
    const gpu = this.gpu;
    const { numQuantizers: D, nPositions: P, codebookSize: K } = this.config;
    if (tokens.length !== P * D) throw badInput(`stepwise-ar takes ${P * D} tokens; got ${tokens.length}`);
    const cache = this.newCache();
    const h = this.hidden(tokens.subarray(0, (P - 1) * D), classId, cache); // [P, C]
    cache.release();
    const out = gpu.empty([P * D, K], 'f32', 'ar.logits'); // [P·D, K] in the sequence layout
    for (let d = 0; d < D; d++) {
      const coarser = new Int32Array(P * d);
      for (let p = 0; p < P; p++) for (let e = 0; e < d; e++) coarser[p * d + e] = tokens[p * D + e];
      const l = this.depthLogits(h, coarser, d); // [P, K]
      for (let p = 0; p < P; p++) gpu.copy(l, p * K, out, (p * D + d) * K, K);
      l.release();
    }
    h.release();
    return out;
  }

  dispose(): void {
    for (const t of this.owned) t.release();
  }
}
