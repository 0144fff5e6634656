// Stepwise's MaskGIT generator over RVQ image tokens (train/emoji_maskgit.py): a class-conditional
// bidirectional transformer with one token per latent grid position. A position's input is the sum of
// one embedding per RVQ depth (row `codebook_size` of each table stands for "masked"), plus a learned
// position embedding and the class embedding (class `num_classes` is the null class of classifier-free
// guidance). Blocks are GPT-2's (pre-LayerNorm, GELU-tanh MLP of 4·width, Conv1D weights [in, out])
// without the causal mask; one head predicts all depths' codes of every position.
// Token layout: sequence index i = position · depths + depth (position = y · width + x, raster order).
// Without retraining a forward may swap dense attention for block top-K or LLSA over the grid in
// Morton order, or merge tokens (tomesd, 2×2 cells): `MaskgitForwardOptions`.

import type { Gpu } from '../gpu/gpu.ts';
import { view, type Tensor } from '../gpu/tensor.ts';
import type { CheckpointReader } from '../formats/checkpoint.ts';
import type { MaskgitConfig } from '../formats/config.ts';
import { add } from '../kernels/elementwise.ts';
import { embedding } from '../kernels/embedding.ts';
import { layerNorm } from '../kernels/layernorm.ts';
import { matmul } from '../kernels/matmul.ts';
import type { GridSize } from '../kernels/morton.ts';
import { proportionalAttention } from '../kernels/tome.ts';
import { gelu } from '../kernels/unary.ts';
import { badInput } from '../shared/errors.ts';
import { bidirectionalAttention, checkModelAttention, DENSE, type ModelAttention } from './attentionMode.ts';
import { BlockMerge } from './tokenMerge.ts';
import { loadGpt2Block, loadLinear, loadNorm, type Gpt2Block, type Linear, type Norm } from './gpt2Block.ts';
import { WeightLoader } from './weights.ts';

/** Attention setting and token-merge ratio of a forward (default: dense, no merging). */
export type MaskgitForwardOptions = ModelAttention;

export class Maskgit {
  readonly architecture = 'stepwise-maskgit';

  private constructor(
    private readonly gpu: Gpu,
    readonly config: MaskgitConfig,
    readonly grid: GridSize, // the latent grid (height · width = n_positions)
    private readonly wte: Tensor[], // per depth [K + 1, C]
    private readonly wpe: Tensor, // [P, C]
    private readonly classEmbedding: Tensor, // [numClasses + 1, C]
    private readonly blocks: Gpt2Block[],
    private readonly lnF: Norm, // [C]
    private readonly head: Linear, // [C, D·K], [D·K]
    private readonly owned: Tensor[],
    readonly weightBytes: number,
  ) {}

  /** Tokens in a sequence: positions · depths. */
  get sequenceLength(): number {
    return this.config.nPositions * this.config.numQuantizers;
  }
  get maskTokenId(): number {
    return this.config.codebookSize;
  }
  get nullClass(): number {
    return this.config.numClasses;
  }

  static async load(gpu: Gpu, config: MaskgitConfig, checkpoint: CheckpointReader): Promise<Maskgit> {
    const { codebookSize: K, numQuantizers: D, nPositions: P, nEmbd: C, nLayer, numClasses } = config;
    const side = Math.round(Math.sqrt(P));
    if (side * side !== P) {
      throw badInput(`stepwise-maskgit: n_positions ${P} is not a square grid`, 'the latent grid must be square');
    }
    const w = new WeightLoader(gpu, checkpoint, `stepwise-maskgit config (n_embd=${C}, n_layer=${nLayer})`);
    const wte: Tensor[] = [];
    for (let d = 0; d < D; d++) wte.push(await w.tensor(`wte.${d}.weight`, [K + 1, C]));
    const wpe = await w.tensor('wpe.weight', [P, C]);
    const classEmbedding = await w.tensor('class_embedding.weight', [numClasses + 1, C]);
    const blocks: Gpt2Block[] = [];
    for (let i = 0; i < nLayer; i++) blocks.push(await loadGpt2Block(w, `h.${i}.`, C, 4 * C));
    const lnF = await loadNorm(w, 'ln_f', C);
    const head = await loadLinear(w, 'head', C, D * K);
    const grid = { height: side, width: side };
    return new Maskgit(gpu, config, grid, wte, wpe, classEmbedding, blocks, lnF, head, await w.all(), w.bytes);
  }

  /** Logits [P·D, K] for every (position, depth) of `tokens` [P·D] (the mask id where unknown),
   *  given class `classId` (the null class for the unconditional half of guidance). */
  forward(tokens: Int32Array, classId: number, options: MaskgitForwardOptions = {}): Tensor {
    const gpu = this.gpu;
    const { codebookSize: K, numQuantizers: D, nPositions: P, nEmbd: C, nHead: H, headDim: Dh } = this.config;
    const eps = this.config.layerNormEpsilon;
    this.checkInputs(tokens, classId);
    checkModelAttention(options);
    const setting = options.attention ?? DENSE;
    const ratio = options.mergeRatio ?? 0;

    // x[p] = Σ_d wte_d[tokens[p·D + d]] + wpe[p] + class_embedding[classId]
    const cls = gpu.upload(new Int32Array(P).fill(classId), [P], 'class ids'); // [P]
    let x = embedding(gpu, cls, this.classEmbedding, 'class_embedding'); // [P, C]
    cls.release();
    x = this.addInto(x, this.wpe); // [P, C]
    for (let d = 0; d < D; d++) {
      const ids = gpu.upload(
        Int32Array.from({ length: P }, (_, p) => tokens[p * D + d]),
        [P],
        `depth ${d} ids`,
      ); // [P]
      const e = embedding(gpu, ids, this.wte[d], `wte.${d}`); // [P, C]
      ids.release();
      x = this.addInto(x, e);
      e.release();
    }

    this.blocks.forEach((b, i) => {
      // With merging, the attention and MLP branches run on M ≤ P slots and are unmerged before
      // their residual adds; the learned positions were added at the input, so slots need nothing else.
      const merge =
        ratio > 0 ? BlockMerge.plan(gpu, x, { ratio, grid: this.grid, seed: i, label: `h.${i}.tomesd` }) : null;
      const M = merge ? merge.kept : P;
      const h = layerNorm(gpu, x, b.ln1.w, b.ln1.b, { eps }); // [P, C]
      const hm = merge ? merge.merge(h) : h; // [M, C]
      const q = matmul(gpu, hm, b.q.w, { bias: b.q.b }); // [M, C] = [M, H, Dh]
      const k = matmul(gpu, hm, b.k.w, { bias: b.k.b }); // [M, C]
      const v = matmul(gpu, hm, b.v.w, { bias: b.v.b }); // [M, C]
      const [qh, kh, vh] = [q, k, v].map((t) => view(t, [M, H, Dh]));
      const a = merge
        ? proportionalAttention(gpu, qh, kh, vh, merge.size) // [M, H, Dh]
        : bidirectionalAttention(gpu, qh, kh, vh, setting, { grid: this.grid, label: `h.${i}.attention` }); // [P, H, Dh]
      const om = matmul(gpu, view(a, [M, C]), b.proj.w, { bias: b.proj.b }); // [M, C]
      const o = merge ? merge.unmerge(om) : om; // [P, C]
      const x1 = add(gpu, x, o); // [P, C]
      for (const t of new Set([h, hm, q, k, v, a, om, o, x])) t.release();
      const h2 = layerNorm(gpu, x1, b.ln2.w, b.ln2.b, { eps }); // [P, C]
      const h2m = merge ? merge.merge(h2) : h2; // [M, C]
      const f = matmul(gpu, h2m, b.fc.w, { bias: b.fc.b }); // [M, 4C]
      const g = gelu(gpu, f); // [M, 4C]
      const mm = matmul(gpu, g, b.fcProj.w, { bias: b.fcProj.b }); // [M, C]
      const m = merge ? merge.unmerge(mm) : mm; // [P, C]
      x = add(gpu, x1, m); // [P, C]
      for (const t of new Set([x1, h2, h2m, f, g, mm, m])) t.release();
      merge?.release();
    });

    const y = layerNorm(gpu, x, this.lnF.w, this.lnF.b, { eps }); // [P, C]
    const logits = matmul(gpu, y, this.head.w, { bias: this.head.b, label: 'head' }); // [P, D·K]
    x.release();
    y.release();
    return { ...logits, shape: [P * D, K] }; // [P·D, K]: the same buffer (and release) seen per token
  }

  private addInto(x: Tensor, y: Tensor): Tensor {
    const s = add(this.gpu, x, y);
    x.release();
    return s;
  }

  private checkInputs(tokens: Int32Array, classId: number): void {
    const { codebookSize: K, numClasses } = this.config;
    if (tokens.length !== this.sequenceLength) {
      throw badInput(`stepwise-maskgit takes ${this.sequenceLength} tokens (positions × depths); got ${tokens.length}`);
    }
    const bad = tokens.findIndex((t) => !(t >= 0 && t <= K));
    if (bad >= 0) throw badInput(`token ${bad} is ${tokens[bad]}; ids are codes 0…${K - 1} or ${K} (masked)`);
    if (!(Number.isInteger(classId) && classId >= 0 && classId <= numClasses)) {
      throw badInput(`class id ${classId} is outside 0…${numClasses} (${numClasses} = no class)`);
    }
  }

  dispose(): void {
    for (const t of this.owned) t.release();
  }
}
