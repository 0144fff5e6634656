import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { transposeRef } from './reference/transpose.ts';
import { measure } from './selfcheck.ts';
import { transposeChecks } from './selfchecks/transpose.ts';
import { transpose } from './transpose.ts';

describe('transpose', () => {
  const shapes: Array<[number, number]> = [
    [1, 1],
    [1, 300],
    [300, 1],
    [32, 1024],
    [17, 33],
  ];
  for (const [R, C] of shapes) {
    it(`[${R}, ${C}] → [${C}, ${R}]`, async () => {
      const gpu = await testGpu();
      const x = new Rng(R * 1000 + C).floats(R * C);
      const tx = gpu.upload(x, [R, C], 'x');
      const y = transpose(gpu, tx);
      expect(y.shape).toEqual([C, R]);
      y.release();
      const r = await measure(gpu, () => transpose(gpu, tx), transposeRef(x, R, C), 1, '');
      expect(r.maxAbsErr).toBe(0);
      tx.release();
    });
  }

  for (const c of transposeChecks) {
    it(`self-check "${c.name}"`, async () => {
      const r = await c.run(await testGpu(), new Rng(11));
      expect(r.pass).toBe(true);
    });
  }

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const t3 = gpu.upload(new Float32Array(8), [2, 2, 2], 'cube');
    const ti = gpu.upload(new Int32Array(4), [2, 2], 'ids');
    expect(() => transpose(gpu, t3)).toThrow(/expected rank 2/);
    expect(() => transpose(gpu, ti)).toThrow(/ids is i32/);
    t3.release();
    ti.release();
  });
});
