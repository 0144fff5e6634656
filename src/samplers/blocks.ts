// Semi-autoregressive blocks and per-position proposals, shared by the LLaDA and threshold samplers.
// The generation region runs from the first masked position to the end of the sequence and is cut
// into blocks of `blockLength`; a block's masks are decoded only once every earlier block is done.

import { badInput } from '../shared/errors.ts';
import type { Rng } from '../shared/rng.ts';

export interface Blocks {
  start: number; // first position of the region
  length: number; // block length
  count: number; // number of blocks
}

export function makeBlocks(tokens: Int32Array, maskId: number, blockLength: number | undefined): Blocks {
  const start = tokens.indexOf(maskId);
  const region = tokens.length - start;
  const length = blockLength ?? region;
  if (!(Number.isInteger(length) && length >= 1))
    throw badInput(`block length must be a whole number ≥ 1; got ${length}`);
  if (region % length !== 0) {
    throw badInput(
      `block length ${length} does not divide the generation length ${region}`,
      `use a divisor of ${region}`,
    );
  }
  return { start, length, count: region / length };
}

export function blockRange(b: Blocks, k: number): [number, number] {
  return [b.start + k * b.length, b.start + (k + 1) * b.length];
}

/**
 * For each masked position: the proposed token x0 and its confidence. x0 is the argmax of
 * log p + temperature · Gumbel noise (a sample at that temperature; argmax when 0), as LLaDA's
 * `add_gumbel_noise`; confidence is p(x0) ('low_confidence') or a uniform draw ('random').
 */
export function propose(
  p: Float64Array,
  V: number,
  positions: number[],
  temperature: number,
  remasking: 'low_confidence' | 'random',
  rng: Rng,
): { x0: Map<number, number>; conf: Map<number, number> } {
  const x0 = new Map<number, number>();
  const conf = new Map<number, number>();
  for (const j of positions) {
    let best = 0;
    let bestScore = -Infinity;
    for (let v = 0; v < V; v++) {
      const pv = p[j * V + v];
      if (pv <= 0) continue;
      const g = temperature > 0 ? -Math.log(-Math.log(Math.max(rng.next(), 1e-300))) : 0;
      const score = Math.log(pv) + temperature * g;
      if (score > bestScore) {
        bestScore = score;
        best = v;
      }
    }
    x0.set(j, best);
    conf.set(j, remasking === 'random' ? rng.next() : p[j * V + best]);
  }
  return { x0, conf };
}

/** Positions with the k highest confidences (ties → lower position). */
export function mostConfident(conf: Map<number, number>, k: number): number[] {
  return [...conf.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, k)
    .map(([j]) => j);
}
