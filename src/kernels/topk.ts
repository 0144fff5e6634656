// Row-wise top-k (top-k sampling, the candidate lists of step snapshots). See shaders/topk.wgsl for
// the order used: −0 = +0, NaN above +inf, ties to the lower column.

import code from '../../shaders/topk.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt, expectRank, fail } from './checks.ts';
import { variantClass, type VariantClass } from './variants.ts';

/** The largest k the kernel supports (the size of its per-thread lists). */
export const TOPK_MAX_K = 64;

export interface TopkOptions {
  variant?: VariantClass; // 'cpu': a thread per row, no barriers; 'gpu': a workgroup per row. Default: the adapter's class
}

export interface TopkResult {
  values: Tensor; // [R, k] f32, descending
  indices: Tensor; // [R, k] i32 columns of those values
}

/** x [R, C] f32 → the k largest values of each row and their columns, in descending order. */
export function topk(gpu: Gpu, x: Tensor, k: number, options: TopkOptions = {}, label = 'topk'): TopkResult {
  expectDType('topk', x, 'f32');
  expectRank('topk', x, 2);
  const [R, C] = x.shape;
  expectPositiveInt('topk', 'R', R);
  expectPositiveInt('topk', 'C', C);
  if (!Number.isInteger(k) || k < 1 || k > Math.min(C, TOPK_MAX_K)) {
    fail('topk', `k must be an integer in [1, ${Math.min(C, TOPK_MAX_K)}] for ${C} columns, got ${k}`);
  }
  const perWorkgroup = (options.variant ?? variantClass(gpu)) === 'gpu';
  const values = gpu.empty([R, k], 'f32', `${label}.values`); // [R, k]
  const indices = gpu.empty([R, k], 'i32', `${label}.indices`); // [R, k]
  gpu.run({
    label,
    code,
    entryPoint: perWorkgroup ? 'workgroup_per_row' : 'thread_per_row',
    params: { rows: R, cols: C, k },
    bindings: [x, values, indices],
    workgroups: gpu.grid(perWorkgroup ? R : Math.ceil(R / 64)),
  });
  return { values, indices };
}
