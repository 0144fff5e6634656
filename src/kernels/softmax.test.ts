import { describe, expect, it } from 'vitest';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { softmaxRef } from './reference/softmax.ts';
import { measure } from './selfcheck.ts';
import { softmax } from './softmax.ts';
import type { VariantClass } from './variants.ts';

const VARIANTS: VariantClass[] = ['cpu', 'gpu'];

/** Runs softmax on x (and mask) and returns the output after checking it against the reference. */
async function check(
  gpu: Gpu,
  x: Float32Array,
  shape: number[],
  variant: VariantClass,
  mask: { data: Float32Array; shape: number[] } | null = null,
  scale = 1,
): Promise<void> {
  const C = shape[shape.length - 1];
  const tx = gpu.upload(x, shape, 'x');
  const tm = mask ? gpu.upload(mask.data, mask.shape, 'mask') : null;
  const want = softmaxRef(x, C, mask?.data ?? null, scale);
  const r = await measure(gpu, () => softmax(gpu, tx, { mask: tm, scale, variant }), want, C, '');
  expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
  tx.release();
  tm?.release();
}

describe('softmax', () => {
  // The `gpu` variant runs too, but its barriers are slow on SwiftShader, so its row counts stay modest.
  const shapes: Array<{ shape: number[]; variants?: VariantClass[] }> = [
    { shape: [1, 1] },
    { shape: [5] },
    { shape: [1, 7] },
    { shape: [3, 257] },
    { shape: [130, 64] },
    { shape: [1, 4099] },
    { shape: [2, 3, 50] },
    { shape: [1000, 33], variants: ['cpu'] },
  ];
  for (const { shape, variants = VARIANTS } of shapes) {
    for (const variant of variants) {
      it(`${JSON.stringify(shape)} (${variant})`, async () => {
        const gpu = await testGpu();
        const n = shape.reduce((a, b) => a * b, 1);
        const rng = new Rng(n * 3 + shape.length);
        await check(gpu, rng.floats(n, -10, 10), shape, variant);
      });
    }
  }

  for (const variant of VARIANTS) {
    it(`subtracts the max: logits of ±1e4 with scale 3 (${variant})`, async () => {
      const gpu = await testGpu();
      await check(gpu, new Rng(1).floats(9 * 300, -1e4, 1e4), [9, 300], variant, null, 3);
    });

    it(`broadcasts a [C] mask with -Infinity, -1e30 and finite entries (${variant})`, async () => {
      const gpu = await testGpu();
      const [R, C] = [11, 70];
      const rng = new Rng(2);
      const mask = rng.floats(C, -5, 5);
      for (let c = 0; c < C; c += 3) mask[c] = -Infinity;
      mask[1] = -1e30;
      mask[2] = -1e9; // large but above the threshold: an ordinary (negligible) logit
      await check(gpu, rng.floats(R * C, -4, 4), [R, C], variant, { data: mask, shape: [C] }, 0.5);
    });

    it(`applies a per-row [R, C] mask (${variant})`, async () => {
      const gpu = await testGpu();
      const [R, C] = [13, 261];
      const rng = new Rng(3);
      const mask = Float32Array.from({ length: R * C }, () => (rng.next() < 0.3 ? -Infinity : rng.uniform(-2, 2)));
      await check(gpu, rng.floats(R * C, -6, 6), [R, C], variant, { data: mask, shape: [R, C] });
    });

    it(`shares a causal [T, T] mask across heads of [H, T, T] scores (${variant})`, async () => {
      const gpu = await testGpu();
      const [H, T] = [3, 17];
      const mask = new Float32Array(T * T);
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = -Infinity;
      const scale = 1 / Math.sqrt(32);
      await check(gpu, new Rng(4).floats(H * T * T, -30, 30), [H, T, T], variant, { data: mask, shape: [T, T] }, scale);
    });

    it(`gives zeros, not NaN, for a fully masked row (${variant})`, async () => {
      const gpu = await testGpu();
      const [R, C] = [3, 300];
      const x = new Rng(5).floats(R * C);
      const mask = new Float32Array(R * C);
      mask.fill(-Infinity, C, 2 * C); // row 1 fully masked
      mask[2 * C + 7] = -Infinity;
      const tx = gpu.upload(x, [R, C], 'x');
      const tm = gpu.upload(mask, [R, C], 'mask');
      const t = softmax(gpu, tx, { mask: tm, variant });
      const y = await gpu.read(t);
      expect(Array.from(y.subarray(C, 2 * C)).every((v) => v === 0)).toBe(true);
      expect(y[2 * C + 7]).toBe(0);
      const want = softmaxRef(x, C, mask);
      for (const row of [0, 2]) {
        const sum = Array.from(y.subarray(row * C, (row + 1) * C)).reduce((a, b) => a + b, 0);
        expect(Math.abs(sum - 1)).toBeLessThan(1e-4);
      }
      expect(Math.max(...Array.from(y, (v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-6);
      for (const tt of [tx, tm, t]) tt.release();
    });
  }

  it('covers row counts past the per-dimension workgroup limit (cpu variant)', async () => {
    const gpu = await testGpu();
    const rows = 64 * gpu.adapter.limits.maxComputeWorkgroupsPerDimension + 3;
    await check(gpu, new Rng(6).floats(rows * 2, -3, 3), [rows, 2], 'cpu');
  });

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const tx = gpu.upload(new Float32Array(6), [2, 3], 'x');
    const tm = gpu.upload(new Float32Array(2), [2], 'mask');
    const tm3 = gpu.upload(new Float32Array(12), [2, 2, 3], 'mask3');
    const ti = gpu.upload(new Int32Array(6), [2, 3], 'ids');
    expect(() => softmax(gpu, tx, { mask: tm })).toThrow(/mask \[2\] does not broadcast to x \[2,3\]/);
    expect(() => softmax(gpu, tx, { mask: tm3 })).toThrow(/does not broadcast/);
    expect(() => softmax(gpu, tx, { mask: ti })).toThrow(/ids is i32/);
    expect(() => softmax(gpu, ti)).toThrow(/ids is i32/);
    expect(() => softmax(gpu, tx, { scale: Infinity })).toThrow(/scale must be finite/);
    for (const t of [tx, tm, tm3, ti]) t.release();
  });
});
