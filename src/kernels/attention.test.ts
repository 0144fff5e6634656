import { describe, expect, it, vi } from 'vitest';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { attention, type AttentionOptions } from './attention.ts';
import { attentionRef, type AttentionDims } from './reference/attention.ts';
import { measure } from './selfcheck.ts';
import { attentionChecks } from './selfchecks/attention.ts';

interface Case extends AttentionDims {
  name: string;
  opts?: AttentionOptions;
  amp?: number; // q and k values in [−amp, amp): larger means a peakier softmax
}

const CASES: Case[] = [
  { name: 'one key', tq: 1, tk: 1, hq: 1, hkv: 1, d: 32 },
  { name: 'MHA bidirectional', tq: 37, tk: 37, hq: 2, hkv: 2, d: 64 },
  { name: 'MHA causal, D=24', tq: 45, tk: 45, hq: 3, hkv: 3, d: 24, opts: { causal: true } },
  { name: 'GQA 8/2 causal with offset', tq: 19, tk: 70, hq: 8, hkv: 2, d: 64, opts: { causal: true, qOffset: 51 } },
  { name: 'GQA 6/3 bidirectional, D=128', tq: 33, tk: 29, hq: 6, hkv: 3, d: 128 },
  { name: 'GQA 6/3 causal, D=128', tq: 21, tk: 21, hq: 6, hkv: 3, d: 128, opts: { causal: true } },
  { name: 'decode Tq=1 against 300 keys', tq: 1, tk: 300, hq: 8, hkv: 2, d: 64, opts: { causal: true, qOffset: 299 } },
  {
    name: 'decode into a part-filled cache',
    tq: 1,
    tk: 128,
    hq: 4,
    hkv: 4,
    d: 128,
    opts: { causal: true, qOffset: 76, kvLen: 77 },
  },
  { name: 'kvLen < Tk bidirectional', tq: 20, tk: 50, hq: 2, hkv: 1, d: 24, opts: { kvLen: 29 } },
  {
    name: 'causal, queries past kvLen',
    tq: 9,
    tk: 40,
    hq: 2,
    hkv: 1,
    d: 32,
    opts: { causal: true, qOffset: 30, kvLen: 35 },
  },
  { name: 'many query blocks, causal', tq: 150, tk: 150, hq: 1, hkv: 1, d: 32, opts: { causal: true } },
  { name: 'long Tk=1000', tq: 7, tk: 1000, hq: 4, hkv: 2, d: 64 },
  {
    name: 'long Tk=1000 causal, peaky',
    tq: 40,
    tk: 1000,
    hq: 2,
    hkv: 1,
    d: 32,
    opts: { causal: true, qOffset: 960 },
    amp: 3,
  },
  { name: 'peaky softmax, scale 1', tq: 23, tk: 61, hq: 2, hkv: 2, d: 64, opts: { scale: 1 } },
  { name: 'D=33 (not a multiple of 4)', tq: 13, tk: 27, hq: 4, hkv: 2, d: 33, opts: { causal: true, qOffset: 14 } },
  { name: 'D=80', tq: 11, tk: 40, hq: 2, hkv: 1, d: 80 },
  { name: 'D=96', tq: 11, tk: 40, hq: 2, hkv: 2, d: 96, opts: { causal: true, qOffset: 29 } },
  { name: 'D=256', tq: 9, tk: 45, hq: 2, hkv: 1, d: 256 },
  { name: 'D=1', tq: 5, tk: 7, hq: 1, hkv: 1, d: 1 },
];

async function check(gpu: Gpu, c: Case, variant: 'cpu' | 'gpu', seed: number): Promise<void> {
  const rng = new Rng(seed);
  const amp = c.amp ?? 1;
  const q = rng.floats(c.tq * c.hq * c.d, -amp, amp);
  const k = rng.floats(c.tk * c.hkv * c.d, -amp, amp);
  const v = rng.floats(c.tk * c.hkv * c.d);
  const tq = gpu.upload(q, [c.tq, c.hq, c.d], 'q'); // [Tq, Hq, D]
  const tk = gpu.upload(k, [c.tk, c.hkv, c.d], 'k'); // [Tk, Hkv, D]
  const tv = gpu.upload(v, [c.tk, c.hkv, c.d], 'v'); // [Tk, Hkv, D]
  const want = attentionRef(q, k, v, c, c.opts);
  const reduction = Math.max(c.d, c.opts?.kvLen ?? c.tk);
  const r = await measure(gpu, () => attention(gpu, tq, tk, tv, { ...c.opts, variant }), want, reduction, '');
  expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
  tq.release();
  tk.release();
  tv.release();
}

describe('attention', () => {
  CASES.forEach((c, n) => {
    for (const variant of ['cpu', 'gpu'] as const) {
      it(`${c.name} (${variant}): Tq=${c.tq} Tk=${c.tk} Hq=${c.hq} Hkv=${c.hkv} D=${c.d}`, async () => {
        await check(await testGpu(), c, variant, 100 + n);
      });
    }
  });

  // A real 2-D launch needs over 65 535 workgroups (minutes on SwiftShader); a grid split at 3 per
  // dimension runs the same index recovery, including the surplus workgroups of an uneven split.
  for (const variant of ['cpu', 'gpu'] as const) {
    it(`2-D workgroup grid (${variant})`, async () => {
      const gpu = await testGpu();
      const grid = vi.spyOn(gpu, 'grid').mockImplementation((n: number): [number, number] => {
        const y = Math.ceil(n / 3);
        return [Math.ceil(n / y), y];
      });
      try {
        await check(
          gpu,
          { name: '2-D grid', tq: 100, tk: 50, hq: 4, hkv: 2, d: 16, opts: { causal: true } },
          variant,
          5,
        );
        expect(grid).toHaveBeenCalled();
      } finally {
        grid.mockRestore();
      }
    });
  }

  for (const c of attentionChecks) {
    it(`self-check "${c.name}"`, async () => {
      const r = await c.run(await testGpu(), new Rng(11));
      expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
    });
  }

  it('picks a variant by adapter class when none is forced', async () => {
    const gpu = await testGpu();
    const rng = new Rng(7);
    const [t, h, d] = [10, 2, 16];
    const q = rng.floats(t * h * d);
    const k = rng.floats(t * h * d);
    const v = rng.floats(t * h * d);
    const tq = gpu.upload(q, [t, h, d], 'q');
    const tk = gpu.upload(k, [t, h, d], 'k');
    const tv = gpu.upload(v, [t, h, d], 'v');
    const dims = { tq: t, tk: t, hq: h, hkv: h, d };
    const r = await measure(
      gpu,
      () => attention(gpu, tq, tk, tv, { causal: true }),
      attentionRef(q, k, v, dims, { causal: true }),
      t,
      '',
    );
    expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
    tq.release();
    tk.release();
    tv.release();
  });

  describe('rejects bad arguments', () => {
    const bad: Array<[string, number[], number[], number[], AttentionOptions, RegExp]> = [
      ['Hq not a multiple of Hkv', [4, 6, 16], [4, 4, 16], [4, 4, 16], {}, /not a multiple of Hkv/],
      ['mismatched D', [4, 2, 16], [4, 2, 32], [4, 2, 32], {}, /head size differs/],
      ['v shaped unlike k', [4, 2, 16], [4, 2, 16], [5, 2, 16], {}, /expected \[4,2,16\]/],
      ['kvLen > Tk', [4, 2, 16], [4, 2, 16], [4, 2, 16], { kvLen: 5 }, /kvLen=5 is more than/],
      ['kvLen = 0', [4, 2, 16], [4, 2, 16], [4, 2, 16], { kvLen: 0 }, /kvLen must be a positive integer/],
      ['negative qOffset', [4, 2, 16], [4, 2, 16], [4, 2, 16], { causal: true, qOffset: -1 }, /qOffset/],
      ['D > 256', [2, 1, 260], [2, 1, 260], [2, 1, 260], {}, /above the supported 256/],
      ['rank 2 q', [4, 32], [4, 2, 16], [4, 2, 16], {}, /expected rank 3/],
    ];
    for (const [name, qs, ks, vs, opts, re] of bad) {
      it(name, async () => {
        const gpu = await testGpu();
        const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
        const tq = gpu.upload(new Float32Array(size(qs)), qs, 'q');
        const tk = gpu.upload(new Float32Array(size(ks)), ks, 'k');
        const tv = gpu.upload(new Float32Array(size(vs)), vs, 'v');
        expect(() => attention(gpu, tq, tk, tv, opts)).toThrow(re);
        tq.release();
        tk.release();
        tv.release();
      });
    }

    it('an i32 tensor', async () => {
      const gpu = await testGpu();
      const tq = gpu.upload(new Int32Array(8), [2, 1, 4], 'q');
      const tk = gpu.upload(new Float32Array(8), [2, 1, 4], 'k');
      expect(() => attention(gpu, tq, tk, tk)).toThrow(/q is i32, expected f32/);
      tq.release();
      tk.release();
    });
  });
});
