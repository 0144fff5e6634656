// Shared pieces of the masked-diffusion samplers: the model interface they drive, the SUBS
// parameterisation of its logits, the per-step snapshot, and the bookkeeping of which positions are
// fixed when. Samplers: mdlm.ts (ancestral), llada.ts (low-confidence remasking in blocks),
// threshold.ts (confidence-threshold parallel decoding).

import type { Tensor } from '../gpu/tensor.ts';
import { badInput } from '../shared/errors.ts';

/** What a masked diffusion LM offers the samplers (MDLM's DDiT implements it). */
export interface DiffusionLm {
  readonly vocabSize: number;
  readonly contextLength: number; // longest sequence
  readonly maskTokenId: number;
  readonly timeConditioned: boolean; // whether σ changes the output (if not, a prediction can be reused)
  /** Raw logits for ids [T] at noise level σ (ignored by models without time conditioning): [T, V],
   *  or [rows.length, V] for just `rows` over a filled `cache` (see Mdlm.forward). */
  forward(ids: Int32Array, sigma: number, options?: { cache?: DiffusionCache; rows?: number[] }): Tensor;
  newCache(length: number): DiffusionCache;
}

/** Keys and values of every layer for one sequence, kept across denoising steps. */
export interface DiffusionCache {
  release(): void;
}

export const TOP_PER_POSITION = 5;

export interface DiffusionStep {
  step: number; // 1-based
  tokens: Int32Array; // the whole sequence after this step (the mask id where still masked)
  unmasked: number[]; // positions fixed at this step
  confidence: Float32Array; // per position: the model's probability of the token it holds (NaN if masked)
  topIds: Int32Array; // [T, 5]: the model's most likely tokens at each position this step (SUBS applied)
  topProbs: Float32Array; // [T, 5]
  forwards: number; // model evaluations this step (0 when a cached prediction was reused)
  rows: number; // positions the model computed this step (fewer than T with a step cache)
  done: boolean; // every position is fixed
}

/** Log-linear noise schedule (MDLM): σ(t) = −log(1 − (1−ε)t), ε = 1e-3. */
export function sigmaOf(t: number): number {
  return -Math.log1p(-(1 - 1e-3) * t);
}

/** Row-wise softmax of logits [T, V] with the mask token's logit removed (SUBS: the model never
 *  predicts [MASK]). Returns probabilities [T, V] in float64. */
export function subsProbs(logits: Float32Array, T: number, V: number, maskId: number): Float64Array {
  const p = new Float64Array(T * V);
  for (let t = 0; t < T; t++) {
    const row = t * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (v !== maskId && logits[row + v] > max) max = logits[row + v];
    let sum = 0;
    for (let v = 0; v < V; v++) {
      const e = v === maskId ? 0 : Math.exp(logits[row + v] - max);
      p[row + v] = e;
      sum += e;
    }
    for (let v = 0; v < V; v++) p[row + v] /= sum;
  }
  return p;
}

/** Top-5 ids and probabilities of every row of p [T, V]. */
export function topPerPosition(p: Float64Array, T: number, V: number): { ids: Int32Array; probs: Float32Array } {
  const K = TOP_PER_POSITION;
  const ids = new Int32Array(T * K);
  const probs = new Float32Array(T * K);
  for (let t = 0; t < T; t++) {
    const best: number[] = [];
    for (let v = 0; v < V; v++) {
      const x = p[t * V + v];
      if (best.length < K || x > p[t * V + best[best.length - 1]]) {
        best.push(v);
        best.sort((a, b) => p[t * V + b] - p[t * V + a] || a - b);
        if (best.length > K) best.pop();
      }
    }
    best.forEach((v, k) => {
      ids[t * K + k] = v;
      probs[t * K + k] = p[t * V + v];
    });
  }
  return { ids, probs };
}

/** The starting sequence: prompt, then `length` masks (prompt masks are infilled too). */
export function initialTokens(prompt: number[], length: number, model: DiffusionLm): Int32Array {
  if (!(Number.isInteger(length) && length >= 0))
    throw badInput(`the generation length must be a whole number ≥ 0; got ${length}`);
  const total = prompt.length + length;
  if (total > model.contextLength) {
    throw badInput(
      `prompt (${prompt.length} tokens) + length ${length} = ${total} is more than the model's context of ${model.contextLength}`,
    );
  }
  const x = new Int32Array(total);
  x.set(prompt);
  x.fill(model.maskTokenId, prompt.length);
  if (!x.includes(model.maskTokenId))
    throw badInput('nothing to generate: give a length > 0 or [MASK] tokens in the prompt');
  return x;
}

export function maskedPositions(x: Int32Array, maskId: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) if (x[i] === maskId) out.push(i);
  return out;
}

/** Probability each position's current token has under p (NaN where masked). */
export function confidenceOf(x: Int32Array, p: Float64Array, V: number, maskId: number): Float32Array {
  return Float32Array.from(x, (tok, i) => (tok === maskId ? NaN : p[i * V + tok]));
}

/** Draws an index from the probabilities p[offset … offset+V) with one uniform draw u ∈ [0, 1). */
export function drawFrom(p: Float64Array, offset: number, V: number, u: number): number {
  let acc = 0;
  for (let v = 0; v < V; v++) {
    acc += p[offset + v];
    if (u < acc) return v;
  }
  // Rounding left u above the total: the last token with any mass.
  for (let v = V - 1; v >= 0; v--) if (p[offset + v] > 0) return v;
  return 0;
}
