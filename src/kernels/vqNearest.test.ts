import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { vqNearestRef } from './reference/vqNearest.ts';
import { vqNearestChecks } from './selfchecks/vqNearest.ts';
import { vqNearest } from './vqNearest.ts';

describe('vqNearest', () => {
  // [N, K, D]: one of each, TiTok-L-32 (32 tokens, 4096 codes of 12), one code only, more rows than a
  // workgroup, wide vectors.
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1],
    [32, 4096, 12],
    [5, 1, 7],
    [129, 64, 3],
    [3, 33, 256],
  ];
  for (const [N, K, D] of shapes) {
    it(`N=${N} K=${K} D=${D}: the reference's ids wherever the nearest code is clear of a tie`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(N * 7 + K * 3 + D);
      const z = rng.floats(N * D);
      const book = rng.floats(K * D);
      const tz = gpu.upload(z, [N, D], 'z');
      const tb = gpu.upload(book, [K, D], 'codebook');
      const t = vqNearest(gpu, tz, tb);
      expect(t.shape).toEqual([N]);
      expect(t.dtype).toBe('i32');
      const got = await gpu.read(t);
      const want = vqNearestRef(z, book, D);
      let clear = 0;
      for (let n = 0; n < N; n++) {
        // f32 sums can swap two codes whose distances agree to rounding; elsewhere the id is exact.
        if (want.second[n] - want.best[n] <= 1e-5 * Math.max(1, want.best[n])) continue;
        clear++;
        expect(got[n], `row ${n}`).toBe(want.ids[n]);
      }
      expect(clear).toBeGreaterThan(N / 2);
      for (const x of [t, tz, tb]) x.release();
    });
  }

  it('picks the lowest index among exactly equal distances', async () => {
    const gpu = await testGpu();
    // codes 1 and 3 are both at distance 1 from z = (0, 0); code 0 is farther, code 2 too.
    const book = Float32Array.of(5, 5, 1, 0, 0, 3, 0, -1);
    const tz = gpu.upload(Float32Array.of(0, 0, 0, -1), [2, 2], 'z');
    const tb = gpu.upload(book, [4, 2], 'codebook');
    const t = vqNearest(gpu, tz, tb);
    expect(Array.from(await gpu.read(t))).toEqual([1, 3]);
    for (const x of [t, tz, tb]) x.release();
  });

  for (const c of vqNearestChecks) {
    it(`self-check "${c.name}"`, async () => {
      const r = await c.run(await testGpu(), new Rng(11));
      expect(r.pass).toBe(true);
    });
  }

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const z = gpu.upload(new Float32Array(6), [2, 3], 'z');
    const b4 = gpu.upload(new Float32Array(8), [2, 4], 'book4');
    const zi = gpu.upload(new Int32Array(6), [2, 3], 'zi');
    const flat = gpu.upload(new Float32Array(6), [6], 'flat');
    expect(() => vqNearest(gpu, z, b4)).toThrow(/z has 3 columns but book4 entries have 4/);
    expect(() => vqNearest(gpu, zi, b4)).toThrow(/zi is i32/);
    expect(() => vqNearest(gpu, flat, b4)).toThrow(/expected rank 2/);
    for (const x of [z, b4, zi, flat]) x.release();
  });
});
