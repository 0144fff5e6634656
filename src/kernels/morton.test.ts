import { describe, expect, it, vi } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { fromMortonOrder, mortonPermutation, toMortonOrder } from './morton.ts';
import { compare } from './reference/compare.ts';
import { mortonPermutationRef, mortonReorderRef } from './reference/morton.ts';
import { mortonChecks } from './selfchecks/morton.ts';

const GRIDS: Array<[number, number, number]> = [
  // [height, width, floats per token]
  [8, 8, 3],
  [1, 1, 5],
  [2, 2, 1],
  [4, 16, 7],
  [32, 4, 2],
  [1, 8, 4],
  [16, 1, 3],
  [64, 64, 9],
];

describe('Morton order', () => {
  it("matches LLSA's gen_permuatations on an 8×8 grid", () => {
    expect(Array.from(mortonPermutation({ height: 8, width: 8 }).subarray(0, 16))).toEqual([
      0, 1, 8, 9, 2, 3, 10, 11, 16, 17, 24, 25, 18, 19, 26, 27,
    ]);
  });

  for (const [height, width] of GRIDS) {
    it(`host permutation of ${height}×${width} matches the recursive reference and is a permutation`, () => {
      const perm = Array.from(mortonPermutation({ height, width }));
      expect(perm).toEqual(mortonPermutationRef(height, width));
      expect([...perm].sort((a, b) => a - b)).toEqual(Array.from({ length: height * width }, (_, i) => i));
    });
  }

  it('makes every aligned run of 4^k positions a 2^k × 2^k square', () => {
    const [height, width] = [16, 32];
    const perm = mortonPermutation({ height, width });
    for (let side = 1; side <= 16; side *= 2) {
      for (let start = 0; start < perm.length; start += side * side) {
        const ys = new Set<number>();
        const xs = new Set<number>();
        for (let j = start; j < start + side * side; j++) {
          ys.add(Math.floor(perm[j] / width));
          xs.add(perm[j] % width);
        }
        expect([ys.size, xs.size]).toEqual([side, side]);
        expect(Math.min(...ys) % side).toBe(0);
        expect(Math.min(...xs) % side).toBe(0);
      }
    }
  });

  GRIDS.forEach(([height, width, c], i) => {
    it(`reorders and restores ${height}×${width}, C=${c}`, async () => {
      const gpu = await testGpu();
      const x = new Rng(600 + i).floats(height * width * c);
      const t = gpu.upload(x, [height * width, c], 'x');
      const z = toMortonOrder(gpu, t, { height, width });
      expect(compare(await gpu.read(z), mortonReorderRef(x, height, width)).maxAbsErr).toBe(0);
      const back = fromMortonOrder(gpu, z, { height, width });
      expect(Array.from(await gpu.read(back))).toEqual(Array.from(x));
      const inv = fromMortonOrder(gpu, t, { height, width });
      expect(compare(await gpu.read(inv), mortonReorderRef(x, height, width, true)).maxAbsErr).toBe(0);
      for (const u of [t, z, back, inv]) u.release();
    });
  });

  it('keeps trailing dimensions ([H·W, heads, D])', async () => {
    const gpu = await testGpu();
    const x = new Rng(5).floats(16 * 3 * 4);
    const t = gpu.upload(x, [16, 3, 4], 'x');
    const z = toMortonOrder(gpu, t, { height: 4, width: 4 });
    expect(z.shape).toEqual([16, 3, 4]);
    expect(compare(await gpu.read(z), mortonReorderRef(x, 4, 4)).maxAbsErr).toBe(0);
    t.release();
    z.release();
  });

  it('2-D workgroup grid', async () => {
    const gpu = await testGpu();
    const grid = vi.spyOn(gpu, 'grid').mockImplementation((w: number): [number, number] => {
      const y = Math.ceil(w / 3);
      return [Math.ceil(w / y), y];
    });
    try {
      const x = new Rng(8).floats(32 * 16 * 5);
      const t = gpu.upload(x, [32 * 16, 5], 'x');
      const z = toMortonOrder(gpu, t, { height: 32, width: 16 });
      expect(compare(await gpu.read(z), mortonReorderRef(x, 32, 16)).maxAbsErr).toBe(0);
      expect(grid).toHaveBeenCalled();
      t.release();
      z.release();
    } finally {
      grid.mockRestore();
    }
  });

  for (const c of mortonChecks) {
    it(`self-check "${c.name}"`, async () => {
      const r = await c.run(await testGpu(), new Rng(41));
      expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
    });
  }

  describe('rejects bad arguments', () => {
    it('a side that is not a power of two', async () => {
      const gpu = await testGpu();
      const t = gpu.upload(new Float32Array(24), [24, 1], 'x');
      expect(() => toMortonOrder(gpu, t, { height: 4, width: 6 })).toThrow(/width must be a power of two, got 6/);
      expect(() => mortonPermutation({ height: 3, width: 4 })).toThrow(/height must be a power of two, got 3/);
      t.release();
    });

    it('a token count that is not H·W', async () => {
      const gpu = await testGpu();
      const t = gpu.upload(new Float32Array(30), [15, 2], 'x');
      expect(() => fromMortonOrder(gpu, t, { height: 4, width: 4 })).toThrow(/expected 16 = 4×4 tokens first/);
      t.release();
    });
  });
});
