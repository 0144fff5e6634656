import { describe, expect, it, vi } from 'vitest';
import type { Gpu } from '../gpu/gpu.ts';
import { numel } from '../gpu/tensor.ts';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { hierarchyLayout, llsa, llsaLevels, type LlsaOptions } from './llsa.ts';
import { compare } from './reference/compare.ts';
import { levelTopk, llsaRef } from './reference/llsa.ts';
import { llsaChecks, llsaKeys } from './selfchecks/llsa.ts';

interface Case {
  name: string;
  n: number;
  heads: number;
  d: number;
  block: number;
  topk: number;
  levels: number;
  amp?: number; // q and k in [−amp, amp)
  scale?: number;
}

const CASES: Case[] = [
  { name: 'L=1, B=16 K=8 (the paper)', n: 512, heads: 2, d: 64, block: 16, topk: 8, levels: 1 },
  { name: 'L=1, B=8 K=3, D=24', n: 200, heads: 3, d: 24, block: 8, topk: 3, levels: 1 },
  { name: 'L=2, B=16 K=8 (the paper)', n: 1024, heads: 1, d: 64, block: 16, topk: 8, levels: 2 },
  { name: 'L=2, B=4 K=3, H=2, D=33', n: 320, heads: 2, d: 33, block: 4, topk: 3, levels: 2 },
  { name: 'L=2, N = B^L exactly (one coarsest token)', n: 64, heads: 2, d: 32, block: 8, topk: 4, levels: 2 },
  { name: 'L=2, K above the candidates (clamped)', n: 128, heads: 1, d: 16, block: 4, topk: 20, levels: 2 },
  { name: 'L=3, B=4 K=2', n: 512, heads: 2, d: 32, block: 4, topk: 2, levels: 3 },
  { name: 'L=4, B=2 K=3, peaky', n: 160, heads: 1, d: 16, block: 2, topk: 3, levels: 4, amp: 2 },
  { name: 'L=2, D=256, scale 0.3', n: 256, heads: 1, d: 256, block: 8, topk: 2, levels: 2, scale: 0.3 },
  { name: 'L=1, one block', n: 16, heads: 1, d: 8, block: 16, topk: 8, levels: 1 },
];

async function run(gpu: Gpu, c: Case, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const { n, heads, d, block, topk, levels } = c;
  const amp = c.amp ?? 1;
  const q = rng.floats(n * heads * d, -amp, amp);
  const k = rng.floats(n * heads * d, -amp, amp);
  const v = rng.floats(n * heads * d);
  const tq = gpu.upload(q, [n, heads, d], 'q');
  const tk = gpu.upload(k, [n, heads, d], 'k');
  const tv = gpu.upload(v, [n, heads, d], 'v');
  const r = llsa(gpu, tq, tk, tv, { block, topk, levels, scale: c.scale });
  const want = llsaRef(q, k, v, { n, heads, d }, { block, topk, levels, scale: c.scale });
  const kl = levelTopk(n, block, topk, levels);
  expect(r.selected.map((t) => t.shape)).toEqual(kl.slice(1).map((kk, i) => [n / block ** (i + 1), heads, kk]));
  for (let l = 0; l < levels; l++) {
    expect(Array.from(await gpu.read(r.selected[l])), `level ${l + 1}`).toEqual(Array.from(want.selected[l]));
  }
  const cmp = compare(await gpu.read(r.out), want.out, llsaKeys(n, block, topk, levels));
  expect(cmp.maxAbsErr).toBeLessThanOrEqual(cmp.tolerance);
  for (const t of [tq, tk, tv, r.out, ...r.selected]) t.release();
}

describe('LLSA', () => {
  CASES.forEach((c, i) => {
    it(`${c.name}: N=${c.n} H=${c.heads} D=${c.d} B=${c.block} K=${c.topk}`, async () => {
      await run(await testGpu(), c, 400 + i);
    });
  });

  // Random configurations: any power-of-two B, 1–3 levels, N a small multiple of B^L, any K, H, D.
  const shapes = new Rng(2468);
  for (let i = 0; i < 6; i++) {
    const block = 2 ** (1 + shapes.int(4));
    const levels = 1 + (i % (block >= 8 ? 2 : 3));
    const c: Case = {
      name: `random #${i}`,
      n: block ** levels * (1 + shapes.int(Math.max(1, Math.floor(600 / block ** levels)))),
      heads: 1 + shapes.int(3),
      d: 1 + shapes.int(70),
      block,
      topk: 1 + shapes.int(10),
      levels,
    };
    it(`${c.name} (L=${levels}): N=${c.n} H=${c.heads} D=${c.d} B=${c.block} K=${c.topk}`, async () => {
      await run(await testGpu(), c, 500 + i);
    });
  }

  it("chooses the paper's level count, L = ⌊log_B N⌋ − 1 (at least 1)", () => {
    expect([1024, 2048, 4095, 4096, 8192, 16384, 65535, 65536].map((n) => llsaLevels(n, 16))).toEqual([
      1, 1, 1, 2, 2, 2, 2, 3,
    ]);
    expect(llsaLevels(16, 16)).toBe(1);
    expect(llsaLevels(1024, 4)).toBe(4);
  });

  it('lays out the levels: K·B candidates below the top, N/B^L at the top', () => {
    const layout = hierarchyLayout(16384, 2, 16, 8, 2);
    expect(layout.rows).toEqual([16384, 1024, 64]);
    expect(layout.k).toEqual([0, 8, 8]);
    expect(layout.coarseRow).toEqual([0, 0, 1024]);
    expect(layout.selOffset).toEqual([0, 0, 1024 * 2 * 8]);
    expect(layout.selElements).toBe((1024 + 64) * 2 * 8);
  });

  it('allocates nothing of size (N/B)² (selection stays sub-quadratic below the top level)', async () => {
    const gpu = await testGpu();
    const [n, d, block] = [4096, 8, 16];
    const sizes: number[] = [];
    const empty = gpu.empty.bind(gpu);
    const spy = vi.spyOn(gpu, 'empty').mockImplementation((shape, dtype, label) => {
      sizes.push(numel(shape));
      return empty(shape, dtype, label);
    });
    try {
      const rng = new Rng(9);
      const t = gpu.upload(rng.floats(n * d), [n, 1, d], 'x');
      const r = llsa(gpu, t, t, t, { block, topk: 8, levels: 2 });
      await gpu.sync();
      for (const x of [t, r.out, ...r.selected]) x.release();
    } finally {
      spy.mockRestore();
    }
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThan((n / block) ** 2);
  });

  // A real 2-D launch needs over 65 535 workgroups; a grid split at 3 per dimension runs the same
  // index recovery in every kernel of the pipeline, including the surplus workgroups.
  it('2-D workgroup grid', async () => {
    const gpu = await testGpu();
    const grid = vi.spyOn(gpu, 'grid').mockImplementation((w: number): [number, number] => {
      const y = Math.ceil(w / 3);
      return [Math.ceil(w / y), y];
    });
    try {
      await run(gpu, { name: '2-D grid', n: 512, heads: 2, d: 16, block: 4, topk: 3, levels: 2 }, 77);
      expect(grid).toHaveBeenCalled();
    } finally {
      grid.mockRestore();
    }
  });

  for (const c of llsaChecks) {
    it(`self-check "${c.name}"`, async () => {
      const r = await c.run(await testGpu(), new Rng(31));
      expect(r.pass).toBe(true);
    });
  }

  describe('rejects bad arguments', () => {
    const bad: Array<[string, number[], LlsaOptions, RegExp]> = [
      [
        'N not a multiple of B^L',
        [1000, 1, 16],
        { block: 16, levels: 2 },
        /N=1000 tokens is not a multiple of B\^L = 256 \(B=16, L=2\): pad the sequence to 1024 tokens/,
      ],
      ['N not a multiple of B^L (default levels)', [4100, 1, 8], {}, /N=4100 tokens is not a multiple of B\^L = 256/],
      ['K < 1', [256, 1, 16], { topk: 0 }, /top-K must be an integer ≥ 1, got 0/],
      [
        'B not a power of two',
        [288, 1, 16],
        { block: 12, levels: 1 },
        /block size B must be a power of two ≥ 2, got 12/,
      ],
      ['B not a power of two (default levels)', [288, 1, 16], { block: 12 }, /block size B must be a power of two/],
      ['levels 0', [256, 1, 16], { levels: 0 }, /levels must be an integer in \[1, 8\], got 0/],
      ['levels 9', [512, 1, 16], { block: 2, levels: 9 }, /levels must be an integer in \[1, 8\], got 9/],
      ['K above 64 blocks', [4096, 1, 8], { block: 8, topk: 65, levels: 2 }, /above the supported 64/],
      ['D > 256', [256, 1, 260], {}, /above the supported 256/],
    ];
    for (const [name, shape, opts, re] of bad) {
      it(name, async () => {
        const gpu = await testGpu();
        const t = gpu.upload(new Float32Array(numel(shape)), shape, 'x');
        expect(() => llsa(gpu, t, t, t, opts)).toThrow(re);
        t.release();
      });
    }

    it('an i32 tensor', async () => {
      const gpu = await testGpu();
      const tq = gpu.upload(new Int32Array(256), [16, 1, 16], 'q');
      const tk = gpu.upload(new Float32Array(256), [16, 1, 16], 'k');
      expect(() => llsa(gpu, tq, tk, tk)).toThrow(/q is i32, expected f32/);
      tq.release();
      tk.release();
    });
  });
});
