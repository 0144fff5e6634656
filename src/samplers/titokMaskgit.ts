// TiTok's MaskGIT sampler over its 1-D tokens (bytedance/1d-tokenizer, ImageBert.generate, after
// MUSE-Pytorch), as a step iterator. It differs from src/samplers/maskgit.ts (Stepwise's own, for RVQ
// grids) in every detail that changes the tokens, so it follows the reference exactly:
// - guidance has a schedule: "constant" g; "linear" (t/N)·g, so step 0 runs without guidance; or
//   "power-cosine" 1 + (g − 1)·(1 − cos(π·(t/N)^pow))/2 (MDT), which mixes as u + (c − u)·scale where
//   the others use c + (c − u)·scale;
// - Gumbel noise of temperature randomize_temperature·(1 − (t+1)/N) picks each token (argmax of
//   logits + noise, no softmax sampling) and, with fresh noise, ranks the confidences, which are raw
//   logits of the picks (not probabilities); already fixed tokens have confidence +∞;
// - the tokens still masked after step t are those with confidence ≤ the mask_len-th smallest, with
//   mask_len = max(1, min(masked − 1, ⌊L · arccos((t+1)/N) / (π/2)⌋)) (ties may mask more); the last
//   step keeps every pick;
// - optionally the logits are divided by 0.5 + 0.8·(1 − (t+1)/N) first (softmax_temperature_annealing).

import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { GuidanceDecay } from '../formats/configTitok.ts';
import { badInput } from '../shared/errors.ts';
import { Rng } from '../shared/rng.ts';
import { readFinite } from './finite.ts';
import type { ImageTokenStep } from './imageTokens.ts';

/** What the sampler needs of a TiTok generator (models/imageBert.ts implements it). */
export interface TitokGeneratorLm {
  readonly sequenceLength: number; // L
  readonly maskTokenId: number; // K, also the number of codes
  readonly numClasses: number; // C
  readonly nullClass: number; // the class id of the dropped label
  /** Logits [L, K] for tokens [L] (K where masked) under class `classId` (nullClass: none). */
  forward(tokens: Int32Array, classId: number): Tensor;
}

export interface TitokSamplingSettings {
  classId: number; // the condition, 0 … C−1
  steps: number; // num_sample_steps, N ≥ 1
  guidanceScale: number; // g ≥ 0 (0 = no guidance under "constant" and "linear")
  guidanceDecay: GuidanceDecay;
  guidanceScalePow: number; // the power of "power-cosine" (the reference's default 3)
  randomizeTemperature: number; // Gumbel temperature at the start, ≥ 0 (0 = no noise: deterministic)
  softmaxTemperatureAnnealing: boolean;
  seed: number;
}

export interface TitokStep extends ImageTokenStep {
  prediction: Int32Array; // [L] every position's pick this step (fixed tokens keep theirs): what a preview decodes
  guidance: number; // the guidance scale used this step (0: one forward, no guidance)
}

/** The guidance scale of step t (0-based) of N under a schedule. */
export function titokGuidanceScale(decay: GuidanceDecay, scale: number, t: number, steps: number, pow: number): number {
  if (decay === 'constant') return scale;
  if (decay === 'linear') return (t / steps) * scale; // set after each step to ratio·g; 0 before the first
  return (scale - 1) * ((1 - Math.cos((t / steps) ** pow * Math.PI)) / 2) + 1;
}

/** How many tokens stay masked after step t of N when `masked` are masked before it (before the last
 *  step; ties at the cut-off may mask more). */
export function titokMaskLength(length: number, t: number, steps: number, masked: number): number {
  const ratio = (t + 1) / steps;
  const byCosine = Math.floor(length * (Math.acos(ratio) / (Math.PI * 0.5)));
  return Math.max(1, Math.min(masked - 1, byCosine));
}

export class TitokMaskgitSampler {
  readonly tokens: Int32Array; // [L] current tokens, the mask id where masked
  private readonly rng: Rng;
  private t = 0; // steps taken

  constructor(
    private readonly gpu: Gpu,
    private readonly model: TitokGeneratorLm,
    private readonly settings: TitokSamplingSettings,
  ) {
    checkSettings(settings, model.numClasses);
    this.tokens = new Int32Array(model.sequenceLength).fill(model.maskTokenId);
    this.rng = new Rng(settings.seed);
  }

  get done(): boolean {
    return this.t >= this.settings.steps;
  }

  async step(): Promise<TitokStep | null> {
    if (this.done) return null;
    const { classId, steps, guidanceScale, guidanceDecay, guidanceScalePow, randomizeTemperature } = this.settings;
    const K = this.model.maskTokenId;
    const L = this.tokens.length;
    const t = this.t;
    const ratio = (t + 1) / steps;
    const noise = randomizeTemperature * (1 - ratio);
    const isMask = Array.from(this.tokens, (id) => id === K);
    // 1. Logits of every position, guided by this step's scale (one forward when it is 0).
    const scale = titokGuidanceScale(guidanceDecay, guidanceScale, t, steps, guidanceScalePow);
    const logits = await this.logits(classId); // [L, K]
    if (scale !== 0) {
      const u = await this.logits(this.model.nullClass);
      const fromUncond = guidanceDecay === 'power-cosine';
      for (let i = 0; i < logits.length; i++) {
        const c = logits[i];
        logits[i] = (fromUncond ? u[i] : c) + (c - u[i]) * scale;
      }
    }
    // 2. Optionally sharpen over the steps.
    if (this.settings.softmaxTemperatureAnnealing) {
      const temperature = 0.5 + 0.8 * (1 - ratio);
      for (let i = 0; i < logits.length; i++) logits[i] /= temperature;
    }
    // 3. Pick every position's token: argmax of logits + annealed Gumbel noise; fixed tokens keep theirs.
    const prediction = new Int32Array(L);
    const picked = new Float64Array(L); // the raw logit of each pick (+∞ for fixed tokens)
    for (let i = 0; i < L; i++) {
      let best = 0;
      let bestValue = -Infinity;
      for (let k = 0; k < K; k++) {
        const v = logits[i * K + k] + noise * this.gumbel();
        if (v > bestValue) [best, bestValue] = [k, v];
      }
      prediction[i] = isMask[i] ? best : this.tokens[i];
      picked[i] = isMask[i] ? logits[i * K + best] : Infinity;
    }
    // 4. Rank the picks by confidence (their logit plus fresh noise) and re-mask the least confident.
    const masked = isMask.filter(Boolean).length;
    const keepMasked = titokMaskLength(L, t, steps, masked);
    const confidence = Array.from(picked, (v) => v + noise * this.gumbel());
    const cutOff = [...confidence].sort((a, b) => a - b)[keepMasked - 1];
    const last = t === steps - 1;
    const unmasked: number[] = [];
    for (let i = 0; i < L; i++) {
      const remask = !last && confidence[i] <= cutOff;
      this.tokens[i] = remask ? K : prediction[i];
      if (isMask[i] && !remask) unmasked.push(i);
    }
    unmasked.sort((a, b) => confidence[b] - confidence[a] || a - b);
    this.t++;
    return {
      step: this.t,
      tokens: this.tokens.slice(),
      unmasked,
      confidence: probabilities(logits, K, unmasked, prediction),
      forwards: scale !== 0 ? 2 : 1,
      done: this.done,
      prediction,
      guidance: scale,
    };
  }

  /** One standard Gumbel draw, −log(−log u) with u clamped as the reference does (1e-20). */
  private gumbel(): number {
    return -Math.log(Math.max(-Math.log(Math.max(this.rng.next(), 1e-20)), 1e-20));
  }

  private async logits(classId: number): Promise<Float32Array> {
    const t = this.model.forward(this.tokens, classId); // [L, K]
    return readFinite(this.gpu, t, `step ${this.t + 1}`).finally(() => t.release());
  }
}

/** softmax(logits[i])[prediction[i]] for the positions fixed this step, NaN elsewhere. */
function probabilities(logits: Float32Array, K: number, fixed: number[], prediction: Int32Array): Float32Array {
  const out = new Float32Array(prediction.length).fill(NaN);
  for (const i of fixed) {
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, logits[i * K + k]);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(logits[i * K + k] - max);
    out[i] = Math.exp(logits[i * K + prediction[i]] - max) / sum;
  }
  return out;
}

function checkSettings(s: TitokSamplingSettings, numClasses: number): void {
  if (!(Number.isInteger(s.classId) && s.classId >= 0 && s.classId < numClasses)) {
    throw badInput(`class id ${s.classId} is outside 0 … ${numClasses - 1}`);
  }
  if (!(Number.isInteger(s.steps) && s.steps >= 1)) throw badInput(`steps must be a whole number ≥ 1; got ${s.steps}`);
  if (!(Number.isFinite(s.guidanceScale) && s.guidanceScale >= 0)) {
    throw badInput(`the guidance scale must be a number ≥ 0; got ${s.guidanceScale}`);
  }
  if (!['constant', 'linear', 'power-cosine'].includes(s.guidanceDecay)) {
    throw badInput(`unknown guidance schedule "${s.guidanceDecay}"`, 'use constant, linear or power-cosine');
  }
  if (!(Number.isFinite(s.guidanceScalePow) && s.guidanceScalePow > 0)) {
    throw badInput(`the power-cosine exponent must be a number > 0; got ${s.guidanceScalePow}`);
  }
  if (!(Number.isFinite(s.randomizeTemperature) && s.randomizeTemperature >= 0)) {
    throw badInput(`the randomize temperature must be a number ≥ 0; got ${s.randomizeTemperature}`);
  }
}
