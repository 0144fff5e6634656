import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { ropeRef } from './reference/rope.ts';
import { rope, ropeTable, type RopeLayout } from './rope.ts';
import { ropeCase } from './selfchecks/rope.ts';

describe('rope', () => {
  // [T, H, D, rotaryDim, pos0, theta]
  const cases: Array<[number, number, number, number, number, number]> = [
    [1, 1, 2, 2, 0, 10000],
    [7, 3, 10, 6, 0, 10000], // partial rotation with an odd number of pairs on each side
    [5, 2, 128, 128, 8187, 10000], // positions up to 8191
    [129, 5, 34, 34, 3999, 10000],
    [3, 4, 96, 32, 4095, 500000], // Llama 3's theta, a quarter of the dims rotated
    [300, 1, 64, 64, 0, 10000],
  ];
  for (const layout of ['rotate-half', 'interleaved'] as const) {
    for (const [T, H, D, rotaryDim, pos0, theta] of cases) {
      it(`${layout} T=${T} H=${H} D=${D} R=${rotaryDim} pos0=${pos0} θ=${theta}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(T * 1009 + H * 31 + D + pos0);
        const r = await ropeCase(gpu, rng, { T, H, D, rotaryDim, pos0, theta, layout });
        expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
      });
    }
  }

  it('splits a launch of more than 65535 workgroups over x and y', async () => {
    const gpu = await testGpu();
    // 2049 · 8 · 1024 pairs = 16.8M invocations > 65535 · 256
    const r = await ropeCase(gpu, new Rng(9), {
      T: 2049,
      H: 8,
      D: 2048,
      rotaryDim: 2048,
      pos0: 0,
      theta: 10000,
      layout: 'rotate-half',
    });
    expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
  });

  // Pins each layout's pairing against hand-written formulas (inv_freq = [1, 0.01] for R = 4).
  const hand: Record<RopeLayout, (c1: number, s1: number, c2: number, s2: number) => number[]> = {
    'rotate-half': (c1, s1, c2, s2) => [1 * c1 - 3 * s1, 2 * c2 - 4 * s2, 3 * c1 + 1 * s1, 4 * c2 + 2 * s2],
    interleaved: (c1, s1, c2, s2) => [1 * c1 - 2 * s1, 2 * c1 + 1 * s1, 3 * c2 - 4 * s2, 4 * c2 + 3 * s2],
  };
  for (const layout of ['rotate-half', 'interleaved'] as const) {
    it(`${layout} pairs dims as the model families expect`, async () => {
      const gpu = await testGpu();
      const p = 3;
      const want = hand[layout](Math.cos(p), Math.sin(p), Math.cos(p * 0.01), Math.sin(p * 0.01));
      const x = Float32Array.from([1, 2, 3, 4]);
      const ref = ropeRef(x, [1, 1, 4], { pos0: p, theta: 10000, rotaryDim: 4, layout });
      ref.forEach((v, i) => expect(v).toBeCloseTo(want[i], 12));
      const rt = ropeTable(gpu, { maxPos: p + 1, rotaryDim: 4 });
      const tx = gpu.upload(x, [1, 1, 4], 'x');
      const out = rope(gpu, tx, rt, { pos0: p, layout });
      const got = await gpu.read(out);
      got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-6));
      out.release();
      tx.release();
      rt.table.release();
    });
  }

  it('places rows at explicit positions (rows picked from anywhere in a sequence)', async () => {
    const gpu = await testGpu();
    const [T, H, D] = [5, 3, 16];
    const positions = Int32Array.from([40, 3, 0, 41, 17]);
    const rng = new Rng(77);
    const x = rng.floats(T * H * D);
    const rt = ropeTable(gpu, { maxPos: 64, rotaryDim: D, theta: 10000 });
    const tx = gpu.upload(x, [T, H, D], 'x');
    const tp = gpu.upload(positions, [T], 'positions');
    for (const layout of ['rotate-half', 'interleaved'] as const) {
      const want = ropeRef(x, [T, H, D], { pos0: 0, positions, theta: 10000, rotaryDim: D, layout });
      const out = rope(gpu, tx, rt, { positions: tp, layout });
      const got = await gpu.read(out);
      out.release();
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5);
    }
    for (const t of [tx, tp, rt.table]) t.release();
  });

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const rt = ropeTable(gpu, { maxPos: 8, rotaryDim: 4 });
    const x = gpu.upload(new Float32Array(2 * 3 * 4), [2, 3, 4], 'x');
    const odd = gpu.upload(new Float32Array(2 * 3 * 5), [2, 3, 5], 'odd');
    const narrow = gpu.upload(new Float32Array(2 * 3 * 2), [2, 3, 2], 'narrow');
    const flat = gpu.upload(new Float32Array(8), [2, 4], 'flat');
    const ints = gpu.upload(new Int32Array(2 * 3 * 4), [2, 3, 4], 'ints');
    expect(() => rope(gpu, odd, rt)).toThrow(/D must be even/);
    expect(() => rope(gpu, narrow, rt)).toThrow(/rotaryDim 4 exceeds the head dim 2/);
    expect(() => rope(gpu, flat, rt)).toThrow(/expected rank 3/);
    expect(() => rope(gpu, ints, rt)).toThrow(/ints is i32, expected f32/);
    expect(() => rope(gpu, x, rt, { pos0: 7 })).toThrow(/positions up to 8 exceed the table's 8/);
    expect(() => rope(gpu, x, rt, { pos0: -1 })).toThrow(/pos0 must be a non-negative integer/);
    expect(() => rope(gpu, x, rt, { layout: 'neox' as RopeLayout })).toThrow(/unknown layout "neox"/);
    expect(() => ropeTable(gpu, { maxPos: 8, rotaryDim: 5 })).toThrow(/rotaryDim must be even/);
    expect(() => ropeTable(gpu, { maxPos: 0, rotaryDim: 4 })).toThrow(/maxPos must be a positive integer/);
    expect(() => ropeTable(gpu, { maxPos: 8, rotaryDim: 4, theta: 0 })).toThrow(/theta must be a positive number/);
    for (const t of [x, odd, narrow, flat, ints]) t.release();
    rt.table.release();
  });
});
