import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { ranksBefore } from './reference/argmax.ts';
import { compare } from './reference/compare.ts';
import { topkRef } from './reference/topk.ts';
import { distinctValues } from './selfchecks/argmax.ts';
import { topk } from './topk.ts';
import type { VariantClass } from './variants.ts';

async function runTopk(x: Float32Array, R: number, C: number, k: number, variant: VariantClass) {
  const gpu = await testGpu();
  const tx = gpu.upload(x, [R, C], 'x');
  const out = topk(gpu, tx, k, { variant });
  const values = await gpu.read(out.values);
  const indices = await gpu.read(out.indices);
  out.values.release();
  out.indices.release();
  tx.release();
  return { values, indices };
}

/** Checks the columns exactly (as lists, so a failure shows where) and the values within tolerance. */
async function expectTopk(x: Float32Array, R: number, C: number, k: number, variant: VariantClass): Promise<void> {
  const got = await runTopk(x, R, C, k, variant);
  const want = topkRef(x, R, C, k);
  for (let r = 0; r < R; r++) {
    expect(Array.from(got.indices.subarray(r * k, (r + 1) * k)), `row ${r}`).toEqual(
      Array.from(want.indices.subarray(r * k, (r + 1) * k)),
    );
  }
  const v = compare(got.values, want.values);
  expect(v.maxAbsErr).toBeLessThanOrEqual(v.tolerance);
}

describe('topk', () => {
  // [R, C, k]. The per-workgroup variant costs ~2 ms a row per unit of k on SwiftShader (barriers),
  // so its shapes stay small.
  const shapes: Record<VariantClass, Array<[number, number, number]>> = {
    cpu: [
      [1, 1, 1],
      [3, 10, 10],
      [2, 70001, 64],
      [100, 300, 7],
      [1, 256, 64],
      [1, 257, 5],
      [7, 50000, 50],
      [3000, 20, 3],
    ],
    gpu: [
      [1, 1, 1],
      [3, 10, 10],
      [2, 70001, 64],
      [10, 300, 7],
      [1, 256, 64],
      [1, 257, 5],
      [2, 50000, 50],
      [50, 20, 3],
    ],
  };
  for (const variant of ['cpu', 'gpu'] as const) {
    for (const [R, C, k] of shapes[variant]) {
      it(`${variant} variant, distinct values, R=${R} C=${C} k=${k}`, async () => {
        const rng = new Rng(R * 7 + C + k);
        const x = new Float32Array(R * C);
        for (let r = 0; r < R; r++) x.set(distinctValues(rng, C), r * C);
        await expectTopk(x, R, C, k, variant);
      });

      it(`${variant} variant, many ties, R=${R} C=${C} k=${k}`, async () => {
        // Few levels: equal values straddle the k-th place, across and within invocations' strides.
        const rng = new Rng(R * 11 + C + k);
        const x = Float32Array.from({ length: R * C }, () => rng.int(6) - 2);
        await expectTopk(x, R, C, k, variant);
      });
    }

    it(`${variant} variant: ties, signed zeros, infinities, NaN and denormals`, async () => {
      const [C, k] = [600, 6];
      const rows: Array<[string, (c: number) => number, number[]]> = [
        ['all equal', () => 2.5, [0, 1, 2, 3, 4, 5]],
        ['signed zeros tie in column order', (c) => (c % 2 === 0 ? 0 : -0), [0, 1, 2, 3, 4, 5]],
        [
          'equal maxima across strides',
          (c) => (c === 3 || c === 259 || c === 515 || c === 4 ? 1 : c === 599 ? 0.5 : 0),
          [3, 4, 259, 515, 599, 0],
        ],
        [
          'NaN above +inf, first NaN first',
          (c) => (c === 10 ? Infinity : c === 500 ? NaN : c === 2 ? NaN : c === 11 ? -Infinity : c === 7 ? 3 : -1),
          [2, 500, 10, 7, 0, 1],
        ],
        [
          'denormals order around zero',
          (c) => (c === 5 ? 1e-45 : c === 6 ? -1e-45 : c === 7 ? 0 : c === 8 ? 3e-45 : -1),
          [8, 5, 7, 6, 0, 1],
        ],
        ['all -inf', () => -Infinity, [0, 1, 2, 3, 4, 5]],
      ];
      const x = new Float32Array(rows.length * C);
      rows.forEach(([, f], r) => {
        for (let c = 0; c < C; c++) x[r * C + c] = f(c);
      });
      const got = await runTopk(x, rows.length, C, k, variant);
      const want = topkRef(x, rows.length, C, k);
      rows.forEach(([name, , expected], r) => {
        expect(Array.from(want.indices.subarray(r * k, (r + 1) * k)), `reference: ${name}`).toEqual(expected);
        expect(Array.from(got.indices.subarray(r * k, (r + 1) * k)), name).toEqual(expected);
        // Values are bit copies of x: NaN stays NaN and −0 stays −0.
        for (let i = 0; i < k; i++)
          expect(Object.is(got.values[r * k + i], x[r * C + expected[i]]), `${name} value ${i}`).toBe(true);
      });
    });
  }

  it('cpu variant splits more than 65535 workgroups over x and y', async () => {
    // 4.2M rows / 64 per workgroup = 65625 workgroups; rows of two, so the expectation is direct.
    const [R, C, k] = [4_200_000, 2, 2];
    const x = new Rng(5).floats(R * C);
    const { values, indices } = await runTopk(x, R, C, k, 'cpu');
    let bad = 0;
    for (let r = 0; r < R; r++) {
      const first = ranksBefore(x[2 * r + 1], 1, x[2 * r], 0) ? 1 : 0;
      const ok = indices[2 * r] === first && indices[2 * r + 1] === 1 - first && values[2 * r] === x[2 * r + first];
      if (!ok) bad++;
    }
    expect(bad).toBe(0);
  });

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(200), [2, 100], 'x');
    const x1 = gpu.upload(new Float32Array(4), [4], 'x1');
    const xi = gpu.upload(new Int32Array(4), [2, 2], 'xi');
    expect(() => topk(gpu, x, 0)).toThrow(/k must be an integer in \[1, 64\] for 100 columns, got 0/);
    expect(() => topk(gpu, x, 65)).toThrow(/got 65/);
    expect(() => topk(gpu, x, 2.5)).toThrow(/got 2.5/);
    expect(() => topk(gpu, xi, 3)).toThrow(/xi is i32, expected f32/);
    expect(() => topk(gpu, x1, 1)).toThrow(/expected rank 2/);
    const narrow = gpu.upload(new Float32Array(6), [2, 3], 'narrow');
    expect(() => topk(gpu, narrow, 4)).toThrow(/k must be an integer in \[1, 3\] for 3 columns, got 4/);
    for (const t of [x, x1, xi, narrow]) t.release();
  });
});
