import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { rmsNormRef } from './reference/rmsnorm.ts';
import { rmsNorm } from './rmsnorm.ts';
import { measure } from './selfcheck.ts';
import type { VariantClass } from './variants.ts';

const BOTH: VariantClass[] = ['cpu', 'gpu'];

// The `gpu` variant runs too, but its barriers are slow on SwiftShader, so its row counts stay modest.
const CASES: Array<{ shape: number[]; variants?: VariantClass[] }> = [
  { shape: [1, 1] },
  { shape: [5] },
  { shape: [1, 7] },
  { shape: [3, 257] },
  { shape: [130, 64] },
  { shape: [1, 4099] },
  { shape: [67, 768] },
  { shape: [2, 3, 50] },
  { shape: [1000, 33], variants: ['cpu'] },
];

describe('rmsnorm', () => {
  for (const { shape, variants = BOTH } of CASES) {
    for (const variant of variants) {
      it(`${JSON.stringify(shape)} (${variant})`, async () => {
        const gpu = await testGpu();
        const C = shape[shape.length - 1];
        const n = shape.reduce((a, b) => a * b, 1);
        const rng = new Rng(n * 5 + C);
        const x = rng.floats(n, -3, 3);
        const w = rng.floats(C, 0.5, 1.5);
        const tx = gpu.upload(x, shape, 'x');
        const tw = gpu.upload(w, [C], 'weight');
        const r = await measure(gpu, () => rmsNorm(gpu, tx, tw, { variant }), rmsNormRef(x, w, 1e-6), C, '');
        expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
        tx.release();
        tw.release();
      });
    }
  }

  it('uses eps: a zero row stays zero and a tiny row is damped', async () => {
    const gpu = await testGpu();
    const C = 6;
    const x = new Float32Array([0, 0, 0, 0, 0, 0, 1e-3, -1e-3, 2e-3, 0, 5e-4, 1e-3]);
    const w = new Float32Array(C).fill(1.5);
    const tx = gpu.upload(x, [2, C], 'x');
    const tw = gpu.upload(w, [C], 'weight');
    const r = await measure(gpu, () => rmsNorm(gpu, tx, tw, { eps: 1e-4 }), rmsNormRef(x, w, 1e-4), C, '');
    expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
    tx.release();
    tw.release();
  });

  it('covers row counts past the per-dimension workgroup limit (cpu variant)', async () => {
    const gpu = await testGpu();
    const rows = 64 * gpu.adapter.limits.maxComputeWorkgroupsPerDimension + 3;
    const rng = new Rng(9);
    const x = rng.floats(rows * 2);
    const w = rng.floats(2, 0.5, 1.5);
    const tx = gpu.upload(x, [rows, 2], 'x');
    const tw = gpu.upload(w, [2], 'weight');
    const r = await measure(gpu, () => rmsNorm(gpu, tx, tw, { variant: 'cpu' }), rmsNormRef(x, w, 1e-6), 2, '');
    expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
    tx.release();
    tw.release();
  });

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const tx = gpu.upload(new Float32Array(6), [2, 3], 'x');
    const tw = gpu.upload(new Float32Array(3), [3], 'weight');
    const t2 = gpu.upload(new Float32Array(2), [2], 'short');
    const ti = gpu.upload(new Int32Array(6), [2, 3], 'ids');
    const ts = gpu.upload(new Float32Array(1), [], 'scalar');
    expect(() => rmsNorm(gpu, tx, t2)).toThrow(/short has shape \[2\], expected \[3\]/);
    expect(() => rmsNorm(gpu, ti, tw)).toThrow(/ids is i32/);
    expect(() => rmsNorm(gpu, ts, tw)).toThrow(/scalar is a scalar/);
    expect(() => rmsNorm(gpu, tx, tw, { eps: -1 })).toThrow(/eps must be a positive/);
    for (const t of [tx, tw, t2, ti, ts]) t.release();
  });
});
