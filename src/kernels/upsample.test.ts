import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { upsample2xRef } from './reference/upsample.ts';
import { measure } from './selfcheck.ts';
import { upsample2x } from './upsample.ts';

// [C, H, W]: single pixels, H ≠ W, odd sizes, outputs that are not a multiple of 256, the decoder's levels.
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [1, 1, 5],
  [3, 7, 1],
  [2, 5, 9],
  [5, 13, 11],
  [128, 8, 8],
  [64, 16, 16],
];

describe('upsample2x', () => {
  for (const [C, H, W] of SHAPES) {
    it(`[${C}, ${H}, ${W}] → [${C}, ${2 * H}, ${2 * W}]`, async () => {
      const gpu = await testGpu();
      const x = new Rng(C * H * W).floats(C * H * W);
      const tx = gpu.upload(x, [C, H, W], 'x');
      const r = await measure(gpu, () => upsample2x(gpu, tx), upsample2xRef(x, C, H, W), 1, '');
      expect(r.maxAbsErr).toBe(0); // a copy, so exact
      tx.release();
    });
  }

  it('gives the shape [C, 2H, 2W]', async () => {
    const gpu = await testGpu();
    const tx = gpu.upload(new Float32Array(2 * 3 * 5), [2, 3, 5], 'x');
    const y = upsample2x(gpu, tx);
    expect(y.shape).toEqual([2, 6, 10]);
    y.release();
    tx.release();
  });

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const t2 = gpu.upload(new Float32Array(6), [2, 3], 'flat');
    const ti = gpu.upload(new Int32Array(6), [1, 2, 3], 'ids');
    expect(() => upsample2x(gpu, t2)).toThrow(/flat has shape \[2,3\], expected rank 3/);
    expect(() => upsample2x(gpu, ti)).toThrow(/ids is i32/);
    t2.release();
    ti.release();
  });
});
