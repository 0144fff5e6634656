import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { gatedAdd, modulate } from './adaln.ts';
import { gatedAddRef, modulateRef } from './reference/adaln.ts';
import { measure } from './selfcheck.ts';

describe('adaLN', () => {
  for (const [R, C] of [
    [1, 1],
    [1, 257],
    [33, 48],
    [300, 7],
  ]) {
    it(`modulate and gated residual on [${R}, ${C}]`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(R * 1000 + C);
      const [x, a, s, y] = [rng.floats(R * C), rng.floats(C), rng.floats(C), rng.floats(R * C)];
      const tx = gpu.upload(x, [R, C], 'x');
      const ta = gpu.upload(a, [C], 'a');
      const ts = gpu.upload(s, [C], 's');
      const ty = gpu.upload(y, [R, C], 'y');
      const m = await measure(gpu, () => modulate(gpu, tx, ta, ts), modulateRef(x, a, s), 1, '');
      expect(m.maxAbsErr).toBeLessThanOrEqual(m.tolerance);
      const g = await measure(gpu, () => gatedAdd(gpu, tx, ta, ty), gatedAddRef(x, a, y), 1, '');
      expect(g.maxAbsErr).toBeLessThanOrEqual(g.tolerance);
      for (const t of [tx, ta, ts, ty]) t.release();
    });
  }

  it('rejects vectors of the wrong width', async () => {
    const gpu = await testGpu();
    const x = gpu.upload(new Float32Array(6), [2, 3], 'x');
    const v = gpu.upload(new Float32Array(2), [2], 'v');
    expect(() => modulate(gpu, x, v, v)).toThrow(/expected \[3\]/);
    expect(() => gatedAdd(gpu, x, v, x)).toThrow(/expected \[3\]/);
    x.release();
    v.release();
  });
});
