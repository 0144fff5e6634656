// The block-level token merging wrapper: ratio 0 is off, a plan keeps T − ⌊T·ratio⌋ slots whose sizes
// count every token once, merge → unmerge gives each token its group's mean (the identity when the
// tokens of a group are equal), and every slot's position is a token of that slot.
import { describe, expect, it } from 'vitest';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { BlockMerge, type TokenMergeOptions } from './tokenMerge.ts';

/** Rows of y [T, C] grouped by equal values: tokens that went into one slot. */
function groups(y: Float32Array, tokens: number, cols: number): number[][] {
  const byKey = new Map<string, number[]>();
  for (let t = 0; t < tokens; t++) {
    const key = Array.from(y.subarray(t * cols, (t + 1) * cols)).join(',');
    byKey.set(key, [...(byKey.get(key) ?? []), t]);
  }
  return [...byKey.values()];
}

async function planOf(gpu: Gpu, x: Float32Array, tokens: number, cols: number, opts: TokenMergeOptions) {
  const metric = gpu.upload(x, [tokens, cols], 'x'); // [T, C]
  const plan = BlockMerge.plan(gpu, metric, opts);
  return { metric, plan };
}

describe('BlockMerge', () => {
  it('ratio 0 is off: no plan', async () => {
    const gpu = await testGpu();
    const { metric, plan } = await planOf(gpu, new Float32Array(16 * 4), 16, 4, { ratio: 0 });
    expect(plan).toBeNull();
    metric.release();
  });

  const cases: Array<[string, number, number, TokenMergeOptions]> = [
    ['a line of 64 tokens, ratio 0.5', 64, 8, { ratio: 0.5, seed: 1 }],
    ['a line of 70 tokens (a partial cell), ratio 0.75', 70, 5, { ratio: 0.75, seed: 2 }],
    ['an 8×8 grid, ratio 0.5', 64, 6, { ratio: 0.5, grid: { height: 8, width: 8 }, seed: 3 }],
    ['a line of 3 tokens (no full cell: nothing merges)', 3, 4, { ratio: 0.5 }],
  ];
  it.each(cases)('%s: sizes, groups and positions agree', async (_name, tokens, cols, opts) => {
    const gpu = await testGpu();
    const x = new Rng(tokens + cols).floats(tokens * cols);
    const { metric, plan } = await planOf(gpu, x, tokens, cols, opts);
    const m = plan!;
    const merged = tokens < 4 ? 0 : Math.floor(tokens * opts.ratio);
    expect(m.tokens).toBe(tokens);
    expect(m.kept).toBe(tokens - merged);
    const size = (await gpu.read(m.size)) as Float32Array;
    expect(size.reduce((a, b) => a + b, 0)).toBe(tokens);

    const mx = m.merge(metric); // [T − r, C]
    expect(mx.shape).toEqual([m.kept, cols]);
    const back = m.unmerge(mx); // [T, C]
    const y = (await gpu.read(back)) as Float32Array;
    const found = groups(y, tokens, cols);
    expect(found.length).toBe(m.kept);
    // Each token now holds the mean of its group.
    for (const g of found) {
      for (let c = 0; c < cols; c++) {
        const mean = g.reduce((s, t) => s + x[t * cols + c], 0) / g.length;
        expect(y[g[0] * cols + c]).toBeCloseTo(mean, 5);
      }
    }
    // Each slot's position is one of its own tokens, and its size counts them.
    const positions = Array.from(await gpu.read(m.positions));
    const slotOf = (t: number) => Array.from(y.subarray(t * cols, (t + 1) * cols)).join(',');
    const mxh = await gpu.read(mx);
    positions.forEach((p, s) => {
      expect(slotOf(p)).toBe(Array.from(mxh.subarray(s * cols, (s + 1) * cols)).join(','));
      expect(size[s]).toBe(found.find((g) => g.includes(p))!.length);
    });
    for (const t of [metric, mx, back]) t.release();
    m.release();
  });

  it('merge then unmerge of tokens equal within their groups is the identity', async () => {
    const gpu = await testGpu();
    const [tokens, cols] = [32, 4];
    const x = new Rng(9).floats(tokens * cols);
    const { metric, plan } = await planOf(gpu, x, tokens, cols, { ratio: 0.5 });
    // Make every group uniform: x' = unmerge(merge(x)); then x' is a fixed point.
    const m1 = plan!.merge(metric); // [T − r, C]
    const once = plan!.unmerge(m1); // [T, C]
    const m2 = plan!.merge(once);
    const twice = plan!.unmerge(m2);
    expect(Array.from(await gpu.read(twice))).toEqual(Array.from(await gpu.read(once)));
    for (const t of [metric, m1, once, m2, twice]) t.release();
    plan!.release();
  });

  it.each([0.8, -0.25, NaN])('ratio %s is bad input', async (ratio) => {
    const gpu = await testGpu();
    const metric = gpu.upload(new Float32Array(16), [16, 1], 'x');
    expect(() => BlockMerge.plan(gpu, metric, { ratio })).toThrow(
      expect.objectContaining({
        code: 'bad-input',
        message: expect.stringMatching(/ratio must be from 0 \(off\) to 0\.75/),
      }),
    );
    metric.release();
  });
});
