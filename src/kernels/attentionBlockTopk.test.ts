import { describe, expect, it } from 'vitest';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { attention } from './attention.ts';
import { attentionBlockTopk, type BlockTopkOptions } from './attentionBlockTopk.ts';
import { attentionRef } from './reference/attention.ts';
import { blockTopkRef } from './reference/attentionBlockTopk.ts';
import { compare } from './reference/compare.ts';
import { blockTopkChecks } from './selfchecks/attentionBlockTopk.ts';

interface Case {
  name: string;
  n: number;
  heads: number;
  d: number;
  block: number;
  topk: number;
  amp?: number; // q and k in [−amp, amp): larger means peakier scores
}

const CASES: Case[] = [
  { name: 'B=16 K=4', n: 256, heads: 2, d: 64, block: 16, topk: 4 },
  { name: 'B=8 K=3, H=3, D=24', n: 200, heads: 3, d: 24, block: 8, topk: 3 },
  { name: 'B=2 K=5', n: 64, heads: 1, d: 16, block: 2, topk: 5 },
  { name: 'B=4, D=33 (not a multiple of 4)', n: 96, heads: 2, d: 33, block: 4, topk: 6 },
  { name: 'one block', n: 16, heads: 2, d: 32, block: 16, topk: 8 },
  { name: 'K larger than the block count (clamped)', n: 64, heads: 1, d: 32, block: 16, topk: 30 },
  { name: 'K = 64 (the largest list)', n: 1024, heads: 1, d: 16, block: 8, topk: 64 },
  { name: 'D=256, peaky', n: 128, heads: 1, d: 256, block: 32, topk: 2, amp: 2 },
  { name: 'long: N=2048', n: 2048, heads: 1, d: 32, block: 16, topk: 8 },
];

async function run(gpu: Gpu, c: Case, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const { n, heads, d } = c;
  const amp = c.amp ?? 1;
  const q = rng.floats(n * heads * d, -amp, amp);
  const k = rng.floats(n * heads * d, -amp, amp);
  const v = rng.floats(n * heads * d);
  const tq = gpu.upload(q, [n, heads, d], 'q');
  const tk = gpu.upload(k, [n, heads, d], 'k');
  const tv = gpu.upload(v, [n, heads, d], 'v');
  const r = attentionBlockTopk(gpu, tq, tk, tv, { block: c.block, topk: c.topk });
  const blocks = n / c.block;
  const kept = Math.min(c.topk, blocks);
  expect(r.indices.shape).toEqual([blocks, heads, kept]);
  const got = await gpu.read(r.out);
  const indices = await gpu.read(r.indices);
  const want = blockTopkRef(q, k, v, { n, heads, d }, c);
  expect(Array.from(indices)).toEqual(Array.from(want.indices));
  const cmp = compare(got, want.out, kept * c.block);
  expect(cmp.maxAbsErr).toBeLessThanOrEqual(cmp.tolerance);
  for (const t of [tq, tk, tv, r.out, r.indices]) t.release();
}

describe('block top-K attention', () => {
  CASES.forEach((c, i) => {
    it(`${c.name}: N=${c.n} H=${c.heads} D=${c.d} B=${c.block} K=${c.topk}`, async () => {
      await run(await testGpu(), c, 300 + i);
    });
  });

  // With K·B ≥ N every query attends to every key: the result is dense attention.
  for (const [n, heads, d, block, topk] of [
    [128, 2, 64, 16, 8],
    [96, 3, 20, 4, 100],
  ]) {
    it(`K·B ≥ N equals dense attention: N=${n} H=${heads} D=${d} B=${block} K=${topk}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(n + topk);
      const [q, k, v] = [rng.floats(n * heads * d), rng.floats(n * heads * d), rng.floats(n * heads * d)];
      const tq = gpu.upload(q, [n, heads, d], 'q');
      const tk = gpu.upload(k, [n, heads, d], 'k');
      const tv = gpu.upload(v, [n, heads, d], 'v');
      const sparse = attentionBlockTopk(gpu, tq, tk, tv, { block, topk });
      const dense = attention(gpu, tq, tk, tv);
      const got = await gpu.read(sparse.out);
      const want = attentionRef(q, k, v, { tq: n, tk: n, hq: heads, hkv: heads, d });
      const vsRef = compare(got, want, n);
      expect(vsRef.maxAbsErr).toBeLessThanOrEqual(vsRef.tolerance);
      const vsKernel = compare(got, await gpu.read(dense), n);
      expect(vsKernel.maxAbsErr).toBeLessThanOrEqual(vsKernel.tolerance);
      // Every block is selected, each exactly once.
      const indices = await gpu.read(sparse.indices);
      const blocks = n / block;
      for (let row = 0; row < blocks * heads; row++) {
        expect([...indices.subarray(row * blocks, (row + 1) * blocks)].sort((x, y) => x - y)).toEqual(
          Array.from({ length: blocks }, (_, b) => b),
        );
      }
      for (const t of [tq, tk, tv, sparse.out, sparse.indices, dense]) t.release();
    });
  }

  it('a query block whose keys are the only ones that match selects them first', async () => {
    const gpu = await testGpu();
    const [n, d, block] = [64, 8, 8];
    // Query block b and key block (b + 3) mod 8 share a direction no other block has.
    const q = new Float32Array(n * d);
    const k = new Float32Array(n * d);
    for (let t = 0; t < n; t++) {
      const b = Math.floor(t / block);
      q[t * d + b] = 1;
      k[t * d + ((b + 5) % 8)] = 1;
    }
    const tq = gpu.upload(q, [n, 1, d], 'q');
    const tk = gpu.upload(k, [n, 1, d], 'k');
    const r = attentionBlockTopk(gpu, tq, tk, tk, { block, topk: 1 });
    expect(Array.from(await gpu.read(r.indices))).toEqual([3, 4, 5, 6, 7, 0, 1, 2]);
    for (const t of [tq, tk, r.out, r.indices]) t.release();
  });

  for (const c of blockTopkChecks) {
    it(`self-check "${c.name}"`, async () => {
      const r = await c.run(await testGpu(), new Rng(21));
      expect(r.pass).toBe(true);
    });
  }

  describe('rejects bad arguments', () => {
    const bad: Array<[string, number[], BlockTopkOptions, RegExp]> = [
      [
        'N not a multiple of B',
        [100, 1, 16],
        { block: 16 },
        /N=100 tokens is not a multiple of B\^L = 16 .*pad the sequence to 112/,
      ],
      ['K < 1', [64, 1, 16], { topk: 0 }, /top-K must be an integer ≥ 1, got 0/],
      ['fractional K', [64, 1, 16], { topk: 2.5 }, /top-K must be an integer ≥ 1/],
      ['B not a power of two', [60, 1, 16], { block: 12 }, /block size B must be a power of two ≥ 2, got 12/],
      ['B = 1', [64, 1, 16], { block: 1 }, /block size B must be a power of two ≥ 2, got 1/],
      ['K above 64 blocks', [1024, 1, 8], { block: 8, topk: 65 }, /keeps 65 blocks .* above the supported 64/],
      ['D > 256', [32, 1, 260], {}, /above the supported 256/],
      ['non-finite scale', [32, 1, 16], { scale: NaN }, /scale must be finite/],
    ];
    for (const [name, shape, opts, re] of bad) {
      it(name, async () => {
        const gpu = await testGpu();
        const size = shape.reduce((a, b) => a * b, 1);
        const t = gpu.upload(new Float32Array(size), shape, 'x');
        expect(() => attentionBlockTopk(gpu, t, t, t, opts)).toThrow(re);
        t.release();
      });
    }

    it('k shaped unlike q', async () => {
      const gpu = await testGpu();
      const tq = gpu.upload(new Float32Array(64 * 16), [64, 1, 16], 'q');
      const tk = gpu.upload(new Float32Array(32 * 16), [32, 1, 16], 'k');
      expect(() => attentionBlockTopk(gpu, tq, tk, tk)).toThrow(/k has shape \[32,1,16\], expected \[64,1,16\]/);
      tq.release();
      tk.release();
    });
  });
});
