// Autoregressive sampling of an RVQ token grid (LlamaGen-style order, RQ-Transformer-style depths;
// algorithms.md §4.3) as a step iterator. One step = one grid position in raster order: the
// transformer runs one slot against its KV cache, then the depth head draws the position's codes in
// order, coarse to fine, each from the code logits after classifier-free guidance (the conditional and
// the unconditional sequence each keep their own cache).

import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { KvCache } from '../models/kvCache.ts';
import { badInput } from '../shared/errors.ts';
import { readFinite } from './finite.ts';
import { Rng } from '../shared/rng.ts';
import {
  checkImageSampling,
  drawLog,
  guide,
  logSoftmaxRow,
  sequenceLength,
  type ImageSamplingSettings,
  type ImageTokenStep,
  type TokenGrid,
} from './imageTokens.ts';

/** What an autoregressive image-token model offers the sampler (models/arImage.ts implements it). */
export interface ArImageLm {
  readonly nullClass: number;
  newCache(): KvCache;
  /** Hidden states [T, C] of the next slots: the class first, then the codes of the previous positions [T', D]. */
  hidden(prevCodes: Int32Array, classId: number, cache: KvCache): Tensor;
  /** Logits [R, K] of one depth for hidden rows [R, C], given the coarser codes [R, depth]. */
  depthLogits(h: Tensor, coarser: Int32Array, depth: number): Tensor;
}

export interface ArImageSettings extends ImageSamplingSettings {
  topK: number; // draw among the k most likely codes (≥ 1; the codebook size = no limit)
}

export class ArImageSampler {
  readonly tokens: Int32Array; // [P·D] current tokens (the mask id where not generated yet)
  private readonly rng: Rng;
  private readonly cond: KvCache;
  private readonly uncond: KvCache | null;
  private position = 0; // the next grid position

  constructor(
    private readonly gpu: Gpu,
    private readonly model: ArImageLm,
    readonly grid: TokenGrid,
    private readonly settings: ArImageSettings,
    numClasses: number,
  ) {
    checkImageSampling(settings, numClasses);
    if (!(Number.isInteger(settings.topK) && settings.topK >= 1)) {
      throw badInput(`top-k must be a whole number ≥ 1; got ${settings.topK}`);
    }
    this.tokens = new Int32Array(sequenceLength(grid)).fill(grid.codebookSize);
    this.rng = new Rng(settings.seed);
    this.cond = model.newCache();
    this.uncond = settings.guidance > 0 ? model.newCache() : null;
  }

  get done(): boolean {
    return this.position >= this.grid.height * this.grid.width;
  }

  async step(): Promise<ImageTokenStep | null> {
    if (this.done) return null;
    const { depths: D, codebookSize: K } = this.grid;
    const { classId, guidance, temperature, topK } = this.settings;
    const p = this.position;
    // 1. Run this position's slot (it reads the previous position's codes) in both sequences.
    const prev = p === 0 ? new Int32Array(0) : this.tokens.slice((p - 1) * D, p * D);
    const hc = this.model.hidden(prev, classId, this.cond); // [1, C]
    const hu = this.uncond ? this.model.hidden(prev, this.model.nullClass, this.uncond) : null; // [1, C]
    const unmasked: number[] = [];
    const confidence = new Float32Array(this.tokens.length).fill(NaN);
    const logp = new Float64Array(K);
    const coarser: number[] = [];
    for (let d = 0; d < D; d++) {
      // 2. Code logits of depth d given the coarser codes just drawn, guided, limited to the top k.
      const c = await this.read(this.model.depthLogits(hc, Int32Array.from(coarser), d));
      const u = hu ? await this.read(this.model.depthLogits(hu, Int32Array.from(coarser), d)) : null;
      const logits = guide(c, u, guidance);
      keepTopK(logits, topK);
      logSoftmaxRow(logits, 0, K, temperature, logp);
      // 3. Draw the code and commit it.
      const code = drawLog(logp, this.rng.next());
      const i = p * D + d;
      this.tokens[i] = code;
      coarser.push(code);
      unmasked.push(i);
      confidence[i] = Math.exp(logp[code]);
    }
    hc.release();
    hu?.release();
    this.position++;
    return {
      step: this.position,
      tokens: this.tokens.slice(),
      unmasked,
      confidence,
      forwards: hu ? 2 : 1,
      done: this.done,
    };
  }

  private async read(t: Tensor): Promise<Float32Array> {
    return readFinite(this.gpu, t, `step ${this.position + 1}`).finally(() => t.release());
  }

  release(): void {
    this.cond.release();
    this.uncond?.release();
  }
}

/** Sets every logit below the k-th largest to −∞. */
function keepTopK(logits: Float32Array, k: number): void {
  if (k >= logits.length) return;
  const kth = Float32Array.from(logits).sort().reverse()[k - 1];
  for (let i = 0; i < logits.length; i++) if (logits[i] < kth) logits[i] = -Infinity;
}
