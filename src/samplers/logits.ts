// Turning one position's logits into a choice: repetition penalty, temperature, top-k and top-p
// (nucleus) truncation, then a seeded draw. Host-side on a [V] array: one row per step is small, and
// doing it here keeps every rule exact and inspectable.

import { badInput } from '../shared/errors.ts';
import type { Rng } from '../shared/rng.ts';

export interface SamplingSettings {
  temperature: number; // 0 = greedy (argmax); otherwise logits / temperature
  topK: number; // keep the k most likely tokens (≥ 1; the vocabulary size or more = no limit)
  topP: number; // keep the smallest set whose probability reaches p; 1 = no limit
  repetitionPenalty: number; // CTRL-style: logits of seen tokens divided (if > 0) or multiplied (if < 0) by it; 1 = off
}

export const DEFAULT_SAMPLING: SamplingSettings = { temperature: 0.8, topK: 40, topP: 0.95, repetitionPenalty: 1.1 };

export function validateSampling(s: SamplingSettings): void {
  if (!(s.temperature >= 0 && Number.isFinite(s.temperature)))
    throw badInput(`temperature must be ≥ 0; got ${s.temperature}`);
  if (!(Number.isInteger(s.topK) && s.topK >= 1))
    throw badInput(`top-k must be a whole number ≥ 1 (the vocabulary size or more for no limit); got ${s.topK}`);
  if (!(s.topP > 0 && s.topP <= 1)) throw badInput(`top-p must be in (0, 1]; got ${s.topP}`);
  if (!(s.repetitionPenalty > 0 && Number.isFinite(s.repetitionPenalty))) {
    throw badInput(`repetition penalty must be > 0 (1 = off); got ${s.repetitionPenalty}`);
  }
}

/** Softmax of logits / temperature (temperature 1 when 0 is asked: the model's own distribution). */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const t = temperature > 0 ? temperature : 1;
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += p[i] = Math.exp((logits[i] - max) / t);
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return p;
}

/** Entropy in nats. */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h;
}

/** Indices of the k largest values, largest first (ties → lower index). */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[b] - values[a] || a - b);
  return idx.slice(0, k);
}

/** Applies the repetition penalty to a copy of the logits. */
export function penalize(logits: ArrayLike<number>, seen: Iterable<number>, penalty: number): Float32Array {
  const out = Float32Array.from(logits);
  if (penalty === 1) return out;
  for (const id of new Set(seen)) {
    if (id >= 0 && id < out.length) out[id] = out[id] > 0 ? out[id] / penalty : out[id] * penalty;
  }
  return out;
}

/** The tokens top-k and top-p allow, most likely first, with their renormalised probabilities. */
export function allowedSet(p: ArrayLike<number>, topK: number, topP: number): { ids: number[]; probs: number[] } {
  const order = topIndices(p, Math.min(topK, p.length));
  const ids: number[] = [];
  let mass = 0;
  for (const id of order) {
    ids.push(id);
    mass += p[id];
    if (mass >= topP) break;
  }
  return { ids, probs: ids.map((id) => p[id] / mass) };
}

/** One token from processed logits. Greedy when temperature is 0 (no random draw is consumed). */
export function sampleToken(logits: ArrayLike<number>, s: SamplingSettings, rng: Rng): number {
  if (s.temperature === 0) return topIndices(logits, 1)[0];
  const { ids, probs } = allowedSet(softmax(logits, s.temperature), s.topK, s.topP);
  let u = rng.next();
  for (let i = 0; i < ids.length; i++) {
    u -= probs[i];
    if (u < 0) return ids[i];
  }
  return ids[ids.length - 1]; // rounding left a sliver of mass: the least likely allowed token
}
