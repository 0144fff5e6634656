// Helpers for model tests: logits against a golden array, and greedy decoding through the KV cache.
import { expect } from 'vitest';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { CausalLm } from './causalLm.ts';

export async function expectLogitsClose(gpu: Gpu, logits: Tensor, want: Float32Array, tol: number): Promise<number> {
  const got = await gpu.read(logits);
  expect(got.length).toBe(want.length);
  let max = 0;
  for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i] - want[i]));
  expect(max).toBeLessThanOrEqual(tol);
  return max;
}

function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** Prefill `ids`, then decode n tokens one at a time, always taking the most likely. */
export async function greedyDecode(gpu: Gpu, model: CausalLm, ids: Int32Array, n: number): Promise<number[]> {
  const cache = model.newCache(ids.length + n);
  const out: number[] = [];
  let next = ids;
  for (let i = 0; i < n; i++) {
    const logits = model.forward(next, cache, { lastOnly: true }); // [1, V]
    const id = argmax(await gpu.read(logits));
    logits.release();
    out.push(id);
    next = Int32Array.of(id);
  }
  cache.release();
  return out;
}
