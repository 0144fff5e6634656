import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { numel } from '../gpu/tensor.ts';
import { Rng } from '../shared/rng.ts';
import { l2Normalize } from './l2norm.ts';
import { l2NormalizeRef } from './reference/l2norm.ts';
import { measure } from './selfcheck.ts';
import { l2NormChecks } from './selfchecks/l2norm.ts';

describe('l2Normalize', () => {
  // Rows × columns: one value, TiTok's 12-wide tokens, odd widths, more rows than one workgroup, 3-D.
  const shapes = [
    [1, 1],
    [32, 12],
    [4096, 12],
    [7, 1000],
    [65, 3],
    [2, 3, 5],
  ];
  for (const shape of shapes) {
    it(`${JSON.stringify(shape)}`, async () => {
      const gpu = await testGpu();
      const x = new Rng(numel(shape) + 3).floats(numel(shape), -3, 3);
      const tx = gpu.upload(x, shape, 'x');
      const r = await measure(
        gpu,
        () => l2Normalize(gpu, tx),
        l2NormalizeRef(x, shape[shape.length - 1]),
        shape[shape.length - 1],
        '',
      );
      expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
      tx.release();
    });
  }

  it('keeps zero rows at zero, scales huge rows without overflow, divides rows shorter than eps by eps', async () => {
    const gpu = await testGpu();
    // rows: zeros; 1e30 (whose squares overflow f32); 1e-30 (norm below eps = 1e-12); mixed; one nonzero
    const x = Float32Array.of(0, 0, 0, 1e30, -2e30, 2e30, 1e-30, 2e-30, -2e-30, 3, -4, 0, 0, 0, -7);
    const tx = gpu.upload(x, [5, 3], 'x');
    const t = l2Normalize(gpu, tx);
    const got = await gpu.read(t);
    const want = [0, 0, 0, 1 / 3, -2 / 3, 2 / 3, 1e-18, 2e-18, -2e-18, 0.6, -0.8, 0, 0, 0, -1];
    want.forEach((w, i) =>
      expect(Math.abs(got[i] - w), `element ${i}: ${got[i]}`).toBeLessThanOrEqual(1e-6 * Math.abs(w)),
    );
    expect(
      Array.from(l2NormalizeRef(x, 3)).map((v, i) => Math.abs(v - want[i]) <= 1e-6 * Math.abs(want[i])),
    ).not.toContain(false);
    t.release();
    tx.release();
  });

  it('honours eps (a row shorter than eps is divided by eps)', async () => {
    const gpu = await testGpu();
    const tx = gpu.upload(Float32Array.of(3e-3, 4e-3), [1, 2], 'x');
    const t = l2Normalize(gpu, tx, { eps: 0.01 });
    const got = await gpu.read(t);
    expect(got[0]).toBeCloseTo(0.3, 6);
    expect(got[1]).toBeCloseTo(0.4, 6);
    t.release();
    tx.release();
  });

  for (const c of l2NormChecks) {
    it(`self-check "${c.name}"`, async () => {
      const r = await c.run(await testGpu(), new Rng(11));
      expect(r.pass).toBe(true);
    });
  }

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const ti = gpu.upload(new Int32Array(6), [2, 3], 'ids');
    const tx = gpu.upload(new Float32Array(6), [2, 3], 'x');
    expect(() => l2Normalize(gpu, ti)).toThrow(/ids is i32/);
    expect(() => l2Normalize(gpu, tx, { eps: 0 })).toThrow(/eps must be a positive/);
    ti.release();
    tx.release();
  });
});
