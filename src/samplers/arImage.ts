// Autoregressive sampling of an RVQ token grid (LlamaGen-style; algorithms.md §4.3) as a step iterator.
// The model reads [class token, t_0, t_1, …] with t_i at index i = position · depths + depth, so a
// grid position's depths come out in order, coarse to fine. One step = one grid position: `depths`
// tokens, each drawn from the code logits (ids 0…K−1; class and mask ids are never drawn) after
// classifier-free guidance, the conditional and the unconditional sequence each with its KV cache.

import type { Gpu } from '../gpu/gpu.ts';
import type { CausalLm } from '../models/causalLm.ts';
import type { KvCache } from '../models/kvCache.ts';
import { badInput } from '../shared/errors.ts';
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

export interface ArImageSettings extends ImageSamplingSettings {
  topK: number; // draw among the k most likely codes (≥ 1; the codebook size = no limit)
}

export interface ArImageClasses {
  firstClassTokenId: number; // class c is token firstClassTokenId + c
  numClasses: number; // the null class is token firstClassTokenId + numClasses
}

export class ArImageSampler {
  readonly tokens: Int32Array; // [P·D] current tokens (the mask id where not generated yet)
  private readonly rng: Rng;
  private readonly cond: KvCache;
  private readonly uncond: KvCache | null;
  private next = 0; // sequence index of the next token
  private pending: { cond: Int32Array; uncond: Int32Array }; // tokens not yet run through the model

  constructor(
    private readonly gpu: Gpu,
    private readonly model: CausalLm,
    readonly grid: TokenGrid,
    private readonly settings: ArImageSettings,
    classes: ArImageClasses,
  ) {
    checkImageSampling(settings, classes.numClasses);
    if (!(Number.isInteger(settings.topK) && settings.topK >= 1)) {
      throw badInput(`top-k must be a whole number ≥ 1; got ${settings.topK}`);
    }
    const L = sequenceLength(grid);
    if (model.contextLength < L + 1) {
      throw badInput(`the model's context (${model.contextLength}) is shorter than class token + ${L} image tokens`);
    }
    const classToken = classes.firstClassTokenId + settings.classId;
    const nullToken = classes.firstClassTokenId + classes.numClasses;
    if (nullToken >= model.vocabSize) {
      throw badInput(`the null class token ${nullToken} is outside the model's vocabulary (${model.vocabSize})`);
    }
    this.tokens = new Int32Array(L).fill(grid.codebookSize);
    this.rng = new Rng(settings.seed);
    this.cond = model.newCache(L + 1);
    this.uncond = settings.guidance > 0 ? model.newCache(L + 1) : null;
    this.pending = { cond: Int32Array.of(classToken), uncond: Int32Array.of(nullToken) };
  }

  get done(): boolean {
    return this.next >= this.tokens.length;
  }

  async step(): Promise<ImageTokenStep | null> {
    if (this.done) return null;
    const { depths: D, codebookSize: K } = this.grid;
    const { guidance, temperature, topK } = this.settings;
    const unmasked: number[] = [];
    const confidence = new Float32Array(this.tokens.length).fill(NaN);
    const logp = new Float64Array(K);
    let forwards = 0;
    for (let d = 0; d < D; d++) {
      // 1. Run the pending token(s) through both sequences; keep the last position's code logits.
      const c = await this.lastLogits(this.cond, this.pending.cond);
      const u = this.uncond ? await this.lastLogits(this.uncond, this.pending.uncond) : null;
      forwards += u ? 2 : 1;
      // 2. Guide, then draw one code among the top-k at the temperature.
      const logits = guide(c, u, guidance);
      keepTopK(logits, topK);
      logSoftmaxRow(logits, 0, K, temperature, logp);
      const code = drawLog(logp, this.rng.next());
      // 3. Commit it and feed it to both sequences next.
      const i = this.next++;
      this.tokens[i] = code;
      unmasked.push(i);
      confidence[i] = Math.exp(logp[code]);
      this.pending = { cond: Int32Array.of(code), uncond: Int32Array.of(code) };
    }
    return {
      step: this.next / D,
      tokens: this.tokens.slice(),
      unmasked,
      confidence,
      forwards,
      done: this.done,
    };
  }

  private async lastLogits(cache: KvCache, ids: Int32Array): Promise<Float32Array> {
    const t = this.model.forward(ids, cache, { lastOnly: true }); // [1, V]
    const all = (await this.gpu.read(t)) as Float32Array;
    t.release();
    return all.slice(0, this.grid.codebookSize); // the code logits only
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
