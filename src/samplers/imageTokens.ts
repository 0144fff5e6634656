// Shared pieces of the image-token samplers (maskgit.ts, arImage.ts): the token grid and its layout,
// the per-step snapshot, classifier-free guidance and the checks of the settings.
// Layout: sequence index i = position · depths + depth, position = y · width + x (raster order),
// depth 0 the coarsest RVQ depth; `maskId` (= codebook size) where a token is not known yet.

import { badInput } from '../shared/errors.ts';

export interface TokenGrid {
  height: number; // latent rows
  width: number; // latent columns
  depths: number; // RVQ depths per position
  codebookSize: number; // codes per depth; also the mask id
}

export interface ImageTokenStep {
  step: number; // 1-based
  tokens: Int32Array; // [P·D] after this step (the mask id where still masked)
  unmasked: number[]; // sequence indices fixed at this step, in the order they were chosen
  confidence: Float32Array; // [P·D] the model's probability of each token fixed at this step (NaN elsewhere)
  forwards: number; // model evaluations this step (2 per evaluation with guidance)
  done: boolean; // every token is fixed
}

/** Settings both image samplers share. */
export interface ImageSamplingSettings {
  classId: number; // the condition
  guidance: number; // classifier-free guidance g ≥ 0: logits = c + g · (c − u); 0 = conditional only
  temperature: number; // of the code distribution (> 0; 1 = the model's)
  seed: number;
}

export function sequenceLength(g: TokenGrid): number {
  return g.height * g.width * g.depths;
}

export function checkImageSampling(s: ImageSamplingSettings, numClasses: number): void {
  if (!(Number.isInteger(s.classId) && s.classId >= 0 && s.classId < numClasses)) {
    throw badInput(`class id ${s.classId} is outside 0…${numClasses - 1}`);
  }
  if (!(Number.isFinite(s.guidance) && s.guidance >= 0)) {
    throw badInput(`guidance must be a number ≥ 0 (0 = no guidance); got ${s.guidance}`);
  }
  if (!(Number.isFinite(s.temperature) && s.temperature > 0)) {
    throw badInput(`temperature must be a number > 0; got ${s.temperature}`);
  }
}

/** Classifier-free guidance in place: cond ← cond + g · (cond − uncond). */
export function guide(cond: Float32Array, uncond: Float32Array | null, g: number): Float32Array {
  if (!uncond || g === 0) return cond;
  for (let i = 0; i < cond.length; i++) cond[i] += g * (cond[i] - uncond[i]);
  return cond;
}

/** log-softmax of row `r` of logits [R, K] at temperature t, into `out` [K]. */
export function logSoftmaxRow(logits: Float32Array, r: number, K: number, t: number, out: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, logits[r * K + k] / t);
  let sum = 0;
  for (let k = 0; k < K; k++) sum += Math.exp(logits[r * K + k] / t - max);
  const lse = max + Math.log(sum);
  for (let k = 0; k < K; k++) out[k] = logits[r * K + k] / t - lse;
}

/** A draw from the categorical distribution exp(logp) with a uniform u in [0, 1). */
export function drawLog(logp: Float64Array, u: number): number {
  let acc = 0;
  for (let k = 0; k < logp.length; k++) {
    acc += Math.exp(logp[k]);
    if (u < acc) return k;
  }
  // Rounding left u above the total: the last code with any mass.
  for (let k = logp.length - 1; k >= 0; k--) if (logp[k] > -Infinity) return k;
  return 0;
}
