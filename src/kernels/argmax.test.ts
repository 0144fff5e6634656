import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { argmax } from './argmax.ts';
import { argmaxRef } from './reference/argmax.ts';
import { distinctValues } from './selfchecks/argmax.ts';
import type { VariantClass } from './variants.ts';

async function runArgmax(x: Float32Array, R: number, C: number, variant: VariantClass): Promise<Int32Array> {
  const gpu = await testGpu();
  const tx = gpu.upload(x, [R, C], 'x');
  const out = argmax(gpu, tx, { variant });
  const got = (await gpu.read(out)) as Int32Array;
  out.release();
  tx.release();
  return got;
}

/** Indices of the rows where got and want differ (empty when they agree). */
function mismatches(got: ArrayLike<number>, want: ArrayLike<number>): number[] {
  return Array.from(want, (w, i) => (got[i] === w ? -1 : i)).filter((i) => i >= 0);
}

describe('argmax', () => {
  // The per-workgroup variant costs ~2 ms a row on SwiftShader (barriers), so its shapes stay small.
  const shapes: Record<VariantClass, Array<[number, number]>> = {
    cpu: [
      [1, 1],
      [1, 70001],
      [3, 257],
      [1000, 7],
      [65, 256],
      [2000, 300],
    ],
    gpu: [
      [1, 1],
      [1, 70001],
      [3, 257],
      [300, 7],
      [65, 256],
      [20, 1000],
    ],
  };
  for (const variant of ['cpu', 'gpu'] as const) {
    for (const [R, C] of shapes[variant]) {
      it(`${variant} variant, distinct values, R=${R} C=${C}`, async () => {
        const rng = new Rng(R * 7 + C);
        const x = new Float32Array(R * C);
        for (let r = 0; r < R; r++) x.set(distinctValues(rng, C), r * C);
        expect(mismatches(await runArgmax(x, R, C, variant), argmaxRef(x, R, C))).toEqual([]);
      });

      it(`${variant} variant, many ties, R=${R} C=${C}`, async () => {
        // Five levels only: every row's maximum repeats, across and within invocations' strides.
        const rng = new Rng(R * 11 + C);
        const x = Float32Array.from({ length: R * C }, () => rng.int(5));
        expect(mismatches(await runArgmax(x, R, C, variant), argmaxRef(x, R, C))).toEqual([]);
      });
    }

    it(`${variant} variant: ties, signed zeros, infinities, NaN and denormals`, async () => {
      const C = 600;
      const rows: Array<[string, (c: number) => number, number]> = [
        ['all equal', () => 2.5, 0],
        ['max at 3 and 259 (same stride)', (c) => (c === 3 || c === 259 ? 1 : 0), 3],
        ['max at 300 and 5', (c) => (c === 300 || c === 5 ? 1 : 0), 5],
        ['-0 before +0', (c) => (c === 7 ? -0 : c === 8 ? 0 : -1), 7],
        ['+0 before -0', (c) => (c === 7 ? 0 : c === 8 ? -0 : -1), 7],
        ['all -inf', () => -Infinity, 0],
        ['+inf', (c) => (c === 420 ? Infinity : c), 420],
        ['NaN beats +inf', (c) => (c === 10 ? Infinity : c === 500 ? NaN : 0), 500],
        ['first NaN wins', (c) => (c === 530 ? NaN : c === 531 ? NaN : c === 2 ? NaN : 0), 2],
        ['denormal above zero', (c) => (c === 333 ? 1e-45 : 0), 333],
        ['negative denormal below zero', (c) => (c === 0 ? -1e-45 : c === 1 ? -1e-44 : c === 2 ? 0 : -1), 2],
        ['all negative', (c) => -1 - ((c * 37) % 599), 0],
      ];
      const x = new Float32Array(rows.length * C);
      rows.forEach(([, f], r) => {
        for (let c = 0; c < C; c++) x[r * C + c] = f(c);
      });
      const got = await runArgmax(x, rows.length, C, variant);
      const want = argmaxRef(x, rows.length, C);
      rows.forEach(([name, , expected], r) => {
        expect(want[r], `reference: ${name}`).toBe(expected);
        expect(got[r], name).toBe(expected);
      });
    });
  }

  it('cpu variant splits more than 65535 workgroups over x and y', async () => {
    // 4.2M rows / 64 per workgroup = 65625 workgroups
    const [R, C] = [4_200_000, 2];
    const rng = new Rng(5);
    const x = rng.floats(R * C);
    expect(mismatches(await runArgmax(x, R, C, 'cpu'), argmaxRef(x, R, C))).toEqual([]);
  });

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const x1 = gpu.upload(new Float32Array(4), [4], 'x1');
    const xi = gpu.upload(new Int32Array(4), [2, 2], 'xi');
    expect(() => argmax(gpu, x1)).toThrow(/expected rank 2/);
    expect(() => argmax(gpu, xi)).toThrow(/xi is i32, expected f32/);
    x1.release();
    xi.release();
  });
});
