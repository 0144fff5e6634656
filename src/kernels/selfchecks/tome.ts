import { mergePlanRef, mergeRef, proportionalAttentionRef, unmergeRef } from '../reference/tome.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';
import {
  mergeTokens,
  proportionalAttention,
  tomePartition,
  tomePlan,
  tomesdPartition,
  tomesdPlan,
  unmergeTokens,
  type MergePlan,
} from '../tome.ts';
import type { Gpu } from '../../gpu/gpu.ts';
import type { Tensor } from '../../gpu/tensor.ts';

/** Plan, merge (with sizes when given) and unmerge in one launch; returns the unmerged tensor. */
export function mergeRoundTrip(gpu: Gpu, plan: () => MergePlan, x: Tensor, size?: Tensor): Tensor {
  const p = plan();
  const merged = mergeTokens(gpu, p, x, size);
  const out = unmergeTokens(gpu, p, merged.x);
  merged.x.release();
  merged.size.release();
  p.release();
  return out;
}

export const tomeChecks: KernelCheck[] = [
  {
    name: 'ToMe merge/unmerge',
    async run(gpu, rng) {
      const [T, C, r] = [197, 64, 40];
      const metric = rng.floats(T * C);
      const x = rng.floats(T * C);
      const size = rng.floats(T, 1, 4);
      const tm = gpu.upload(metric, [T, C], 'metric'); // [T, C]
      const tx = gpu.upload(x, [T, C], 'x'); // [T, C]
      const ts = gpu.upload(size, [T], 'size'); // [T]
      const plan = mergePlanRef(metric, C, tomePartition(T), r);
      const want = unmergeRef(mergeRef(x, C, plan, size).x, C, plan);
      const out = await measure(
        gpu,
        () => mergeRoundTrip(gpu, () => tomePlan(gpu, tm, r), tx, ts),
        want,
        1,
        `T=${T} C=${C} r=${r}`,
      );
      for (const t of [tm, tx, ts]) t.release();
      return out;
    },
  },
  {
    name: 'tomesd merge/unmerge',
    async run(gpu, rng) {
      const [height, width, C, ratio] = [24, 32, 40, 0.5];
      const T = height * width;
      const x = rng.floats(T * C);
      const tx = gpu.upload(x, [T, C], 'x'); // [H·W, C]
      const grid = { height, width, ratio, seed: 7 };
      const plan = mergePlanRef(x, C, tomesdPartition(grid), Math.floor(T * ratio));
      const want = unmergeRef(mergeRef(x, C, plan).x, C, plan);
      const out = await measure(
        gpu,
        () => mergeRoundTrip(gpu, () => tomesdPlan(gpu, tx, grid), tx),
        want,
        1,
        `H=${height} W=${width} C=${C} ratio=${ratio}`,
      );
      tx.release();
      return out;
    },
  },
  {
    name: 'ToMe proportional attention',
    async run(gpu, rng) {
      const [T, H, D] = [157, 4, 64];
      const [q, k, v] = [rng.floats(T * H * D), rng.floats(T * H * D), rng.floats(T * H * D)];
      const size = rng.floats(T, 1, 6);
      const tq = gpu.upload(q, [T, H, D], 'q'); // [T, H, D]
      const tk = gpu.upload(k, [T, H, D], 'k'); // [T, H, D]
      const tv = gpu.upload(v, [T, H, D], 'v'); // [T, H, D]
      const ts = gpu.upload(size, [T], 'size'); // [T]
      const want = proportionalAttentionRef(q, k, v, size, { tokens: T, heads: H, d: D });
      const out = await measure(
        gpu,
        () => proportionalAttention(gpu, tq, tk, tv, ts),
        want,
        Math.max(T, D),
        `T=${T} H=${H} D=${D}`,
      );
      for (const t of [tq, tk, tv, ts]) t.release();
      return out;
    },
  },
];
