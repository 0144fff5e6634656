import { describe, expect, it, vi } from 'vitest';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { attention } from './attention.ts';
import { compare } from './reference/compare.ts';
import { mergePlanRef, mergeRef, proportionalAttentionRef, unmergeRef, type MergePlanRef } from './reference/tome.ts';
import { tomeChecks } from './selfchecks/tome.ts';
import {
  mergePlan,
  mergeTokens,
  proportionalAttention,
  tomePartition,
  tomePlan,
  tomesdPartition,
  tomesdPlan,
  unmergeTokens,
  type MergePlan,
  type Partition,
} from './tome.ts';

/** Checks a GPU plan's token → slot map against the reference's, then merge (x and sizes) and unmerge. */
async function expectPlan(
  gpu: Gpu,
  plan: MergePlan,
  want: MergePlanRef,
  x: Float32Array,
  cols: number,
  size?: Float32Array,
) {
  expect(plan.merged).toBe(want.merged);
  expect(plan.kept).toBe(want.assign.length - want.merged);
  expect(Array.from(await gpu.read(plan.assign))).toEqual(Array.from(want.assign));
  const tokens = want.assign.length;
  const tx = gpu.upload(x, [tokens, cols], 'x');
  const ts = size ? gpu.upload(size, [tokens], 'size') : undefined;
  const merged = mergeTokens(gpu, plan, tx, ts);
  const wantMerged = mergeRef(x, cols, want, size);
  expect(merged.x.shape).toEqual([plan.kept, cols]);
  const mx = compare(await gpu.read(merged.x), wantMerged.x);
  expect(mx.maxAbsErr).toBeLessThanOrEqual(mx.tolerance);
  const ms = compare(await gpu.read(merged.size), wantMerged.size);
  expect(ms.maxAbsErr).toBeLessThanOrEqual(ms.tolerance);
  const un = unmergeTokens(gpu, plan, merged.x);
  expect(Array.from(await gpu.read(un))).toEqual(
    Array.from(await gpu.read(merged.x).then((m) => unmergeRef(m, cols, want))),
  );
  for (const t of [tx, merged.x, merged.size, un, ...(ts ? [ts] : [])]) t.release();
}

describe('token merging', () => {
  describe('ToMe bipartite soft matching', () => {
    const cases: Array<[number, number, number, boolean]> = [
      // [T, C, r, with sizes]
      [197, 64, 16, true],
      [50, 8, 25, false], // every src token merges
      [33, 3, 100, true], // r clamped to ⌊T/2⌋ = 16
      [100, 16, 0, true],
      [7, 3, 2, true],
      [2, 5, 1, false],
      [1, 4, 1, true], // nothing to merge into
    ];
    cases.forEach(([T, C, r, withSize], i) => {
      it(`T=${T} C=${C} r=${r}${withSize ? ' with sizes' : ''}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(700 + i);
        const metric = rng.floats(T * C);
        const x = rng.floats(T * 6);
        const size = withSize ? rng.floats(T, 1, 5) : undefined;
        const tm = gpu.upload(metric, [T, C], 'metric');
        const plan = tomePlan(gpu, tm, r);
        const want = mergePlanRef(metric, C, tomePartition(T), Math.min(r, Math.floor(T / 2)));
        await expectPlan(gpu, plan, want, x, 6, size);
        plan.release();
        tm.release();
      });
    });

    it('merges each odd token with its most similar even token first', async () => {
      const gpu = await testGpu();
      // Tokens 2i and 2i+1 share direction i, except that pair 3 is the closest match of all.
      const [T, C] = [8, 4];
      const metric = new Float32Array(T * C);
      for (let t = 0; t < T; t++) metric[t * C + Math.floor(t / 2)] = 1;
      for (const t of [0, 2, 4]) metric[t * C + 3] = 0.5; // srcs 0, 1, 2 lean towards dir 3
      const tm = gpu.upload(metric, [T, C], 'metric');
      const plan = tomePlan(gpu, tm, 1);
      // Src 3 (token 6) matches dst 3 (token 7) exactly and goes first; unmerged srcs keep rank order.
      expect(Array.from(await gpu.read(plan.assign))).toEqual([0, 3, 1, 4, 2, 5, 6, 6]);
      plan.release();
      tm.release();
    });
  });

  describe('tomesd', () => {
    it('puts exactly one dst in every 2×2 cell, the leftover rows and columns on the src side', () => {
      const [height, width] = [5, 7];
      for (const seed of [0, 1, null]) {
        const { src, dst } = tomesdPartition({ height, width, seed });
        expect(dst.length).toBe(2 * 3);
        expect([...src, ...dst].sort((a, b) => a - b)).toEqual(Array.from({ length: 35 }, (_, t) => t));
        const cells = new Set(
          Array.from(dst, (t) => `${Math.floor(Math.floor(t / width) / 2)},${Math.floor((t % width) / 2)}`),
        );
        expect(cells.size).toBe(6);
        for (const t of dst) expect(Math.floor(t / width) < 4 && t % width < 6).toBe(true);
        if (seed === null) expect(Array.from(dst)).toEqual([0, 2, 4, 14, 16, 18]);
      }
      expect(tomesdPartition({ height, width, seed: 1 })).toEqual(tomesdPartition({ height, width, seed: 1 }));
      expect(tomesdPartition({ height: 8, width: 8, seed: 1 }).dst).not.toEqual(
        tomesdPartition({ height: 8, width: 8, seed: 2 }).dst,
      );
    });

    const cases: Array<[number, number, number, number, number | null]> = [
      // [height, width, C, ratio, seed]
      [16, 12, 8, 0.5, 3],
      [8, 8, 16, 0.75, 0], // the largest ratio: every src merges
      [9, 7, 5, 0.3, null],
      [6, 6, 4, 0, 2],
    ];
    cases.forEach(([height, width, C, ratio, seed], i) => {
      it(`${height}×${width} C=${C} ratio=${ratio} seed=${seed}`, async () => {
        const gpu = await testGpu();
        const T = height * width;
        const x = new Rng(800 + i).floats(T * C);
        const tx = gpu.upload(x, [T, C], 'x');
        const grid = { height, width, ratio, seed };
        const plan = tomesdPlan(gpu, tx, grid);
        const want = mergePlanRef(x, C, tomesdPartition(grid), Math.floor(T * ratio));
        await expectPlan(gpu, plan, want, x, C);
        plan.release();
        tx.release();
      });
    });
  });

  // The merged mean is updated incrementally, so equal tokens merge to exactly themselves.
  for (const [name, makePlan] of [
    ['ToMe', (gpu: Gpu, m: Parameters<typeof tomePlan>[1]) => tomePlan(gpu, m, 40)],
    [
      'tomesd',
      (gpu: Gpu, m: Parameters<typeof tomePlan>[1]) => tomesdPlan(gpu, m, { height: 12, width: 8, ratio: 0.75 }),
    ],
  ] as const) {
    it(`${name}: merge then unmerge of identical tokens is the identity`, async () => {
      const gpu = await testGpu();
      const [T, C] = [96, 13];
      const rng = new Rng(3);
      const row = rng.floats(C);
      const same = new Float32Array(T * C);
      for (let t = 0; t < T; t++) same.set(row, t * C);
      const tm = gpu.upload(rng.floats(T * 4), [T, 4], 'metric');
      const tx = gpu.upload(same, [T, C], 'x');
      const ts = gpu.upload(rng.floats(T, 1, 7), [T], 'size');
      const plan = makePlan(gpu, tm);
      expect(plan.merged).toBeGreaterThan(0);
      const merged = mergeTokens(gpu, plan, tx, ts);
      const back = unmergeTokens(gpu, plan, merged.x);
      expect(Array.from(await gpu.read(back))).toEqual(Array.from(same));
      for (const t of [tm, tx, ts, merged.x, merged.size, back]) t.release();
      plan.release();
    });
  }

  it('a custom partition: the plan merges along it', async () => {
    const gpu = await testGpu();
    const [T, C] = [20, 6];
    const metric = new Rng(4).floats(T * C);
    const partition: Partition = {
      src: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
      dst: Int32Array.from([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]),
    };
    const tm = gpu.upload(metric, [T, C], 'metric');
    const plan = mergePlan(gpu, tm, partition, 6);
    await expectPlan(gpu, plan, mergePlanRef(metric, C, partition, 6), metric, C);
    plan.release();
    tm.release();
  });

  it('2-D workgroup grid', async () => {
    const gpu = await testGpu();
    const grid = vi.spyOn(gpu, 'grid').mockImplementation((w: number): [number, number] => {
      const y = Math.ceil(w / 3);
      return [Math.ceil(w / y), y];
    });
    try {
      const [T, C] = [150, 8];
      const rng = new Rng(12);
      const metric = rng.floats(T * C);
      const tm = gpu.upload(metric, [T, C], 'metric');
      const plan = tomePlan(gpu, tm, 30);
      await expectPlan(
        gpu,
        plan,
        mergePlanRef(metric, C, tomePartition(T), 30),
        rng.floats(T * 3),
        3,
        rng.floats(T, 1, 3),
      );
      plan.release();
      tm.release();
      expect(grid).toHaveBeenCalled();
    } finally {
      grid.mockRestore();
    }
  });

  describe('proportional attention', () => {
    const cases: Array<[number, number, number]> = [
      [1, 1, 8],
      [45, 3, 64],
      [30, 2, 33],
      [99, 1, 256],
    ];
    cases.forEach(([T, H, D], i) => {
      it(`T=${T} H=${H} D=${D}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(900 + i);
        const [q, k, v] = [rng.floats(T * H * D), rng.floats(T * H * D), rng.floats(T * H * D)];
        const size = rng.floats(T, 1, 9);
        const t = [gpu.upload(q, [T, H, D], 'q'), gpu.upload(k, [T, H, D], 'k'), gpu.upload(v, [T, H, D], 'v')];
        const ts = gpu.upload(size, [T], 'size');
        const out = proportionalAttention(gpu, t[0], t[1], t[2], ts);
        const cmp = compare(
          await gpu.read(out),
          proportionalAttentionRef(q, k, v, size, { tokens: T, heads: H, d: D }),
          Math.max(T, D),
        );
        expect(cmp.maxAbsErr).toBeLessThanOrEqual(cmp.tolerance);
        for (const x of [...t, ts, out]) x.release();
      });
    });

    it('with unit sizes it is plain attention', async () => {
      const gpu = await testGpu();
      const [T, H, D] = [40, 2, 32];
      const rng = new Rng(17);
      const t = [0, 1, 2].map((j) => gpu.upload(rng.floats(T * H * D), [T, H, D], `t${j}`));
      const ts = gpu.upload(new Float32Array(T).fill(1), [T], 'size');
      const out = proportionalAttention(gpu, t[0], t[1], t[2], ts);
      const dense = attention(gpu, t[0], t[1], t[2]);
      const cmp = compare(await gpu.read(out), await gpu.read(dense), T);
      expect(cmp.maxAbsErr).toBeLessThanOrEqual(cmp.tolerance);
      for (const x of [...t, ts, out, dense]) x.release();
    });
  });

  for (const c of tomeChecks) {
    it(`self-check "${c.name}"`, async () => {
      const r = await c.run(await testGpu(), new Rng(51));
      expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
    });
  }

  describe('rejects bad arguments', () => {
    it('a merge ratio outside [0, 0.75]', async () => {
      const gpu = await testGpu();
      const t = gpu.upload(new Float32Array(64), [16, 4], 'x');
      for (const ratio of [0.8, -0.1, NaN]) {
        expect(() => tomesdPlan(gpu, t, { height: 4, width: 4, ratio })).toThrow(
          /merge ratio must be in \[0, 0.75\] for 2×2 cells/,
        );
      }
      expect(() => tomesdPlan(gpu, t, { height: 4, width: 4, sx: 4, sy: 1, ratio: 0.8 })).toThrow(
        /\[0, 0.75\] for 1×4 cells/,
      );
      expect(() => tomesdPlan(gpu, t, { height: 2, width: 4, ratio: 0.5 })).toThrow(/16 tokens, not 2×4/);
      t.release();
    });

    it('a negative or fractional r', async () => {
      const gpu = await testGpu();
      const t = gpu.upload(new Float32Array(40), [10, 4], 'x');
      expect(() => tomePlan(gpu, t, -1)).toThrow(/r \(tokens to merge\) must be a non-negative integer, got -1/);
      expect(() => tomePlan(gpu, t, 1.5)).toThrow(/non-negative integer, got 1.5/);
      t.release();
    });

    it('a partition that does not cover the tokens', async () => {
      const gpu = await testGpu();
      const t = gpu.upload(new Float32Array(40), [10, 4], 'x');
      expect(() => mergePlan(gpu, t, tomePartition(8), 2)).toThrow(/covers 8 tokens, the metric has 10/);
      t.release();
    });

    it('tensors that do not fit the plan', async () => {
      const gpu = await testGpu();
      const t = gpu.upload(new Rng(1).floats(40), [10, 4], 'x');
      const plan = tomePlan(gpu, t, 3);
      const wrong = gpu.upload(new Float32Array(36), [9, 4], 'y');
      expect(() => mergeTokens(gpu, plan, wrong)).toThrow(/y has shape \[9,4\], expected 10 tokens first/);
      expect(() => mergeTokens(gpu, plan, t, wrong)).toThrow(/y has shape \[9,4\], expected \[10\]/);
      expect(() => unmergeTokens(gpu, plan, t)).toThrow(/x has shape \[10,4\], expected 7 merged tokens first/);
      const q = gpu.upload(new Float32Array(40), [10, 1, 4], 'q');
      expect(() => proportionalAttention(gpu, q, q, q, wrong)).toThrow(/y has shape \[9,4\], expected \[10\]/);
      for (const x of [t, wrong, q]) x.release();
      plan.release();
    });
  });
});
