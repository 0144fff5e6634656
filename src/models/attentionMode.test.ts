// The attention settings on one head-batched attention: dense is the flash kernel as it is, block
// top-K keeping every block is dense, a 2-D grid pools square patches (Morton order), and every bad
// setting is a 'bad-input' error that names it.
import { describe, expect, it } from 'vitest';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import { attention } from '../kernels/attention.ts';
import { attentionRef } from '../kernels/reference/attention.ts';
import { compare } from '../kernels/reference/compare.ts';
import { llsaRef } from '../kernels/reference/llsa.ts';
import { mortonReorderRef } from '../kernels/reference/morton.ts';
import { Rng } from '../shared/rng.ts';
import {
  attentionSpan,
  bidirectionalAttention,
  checkAttentionFits,
  checkModelAttention,
  describeAttention,
  isDense,
  type AttentionSetting,
  type ModelAttention,
} from './attentionMode.ts';

function inputs(gpu: Gpu, n: number, heads: number, d: number, seed: number) {
  const rng = new Rng(seed);
  const host = { q: rng.floats(n * heads * d), k: rng.floats(n * heads * d), v: rng.floats(n * heads * d) };
  const t = {
    q: gpu.upload(host.q, [n, heads, d], 'q'), // [N, H, D]
    k: gpu.upload(host.k, [n, heads, d], 'k'), // [N, H, D]
    v: gpu.upload(host.v, [n, heads, d], 'v'), // [N, H, D]
  };
  return { host, t, release: () => [t.q, t.k, t.v].forEach((x) => x.release()) };
}

describe('bidirectionalAttention', () => {
  it('dense is the flash attention kernel, bit for bit', async () => {
    const gpu = await testGpu();
    const x = inputs(gpu, 40, 3, 12, 1);
    const a = await gpu.read(bidirectionalAttention(gpu, x.t.q, x.t.k, x.t.v, { kind: 'dense' }));
    const b = await gpu.read(attention(gpu, x.t.q, x.t.k, x.t.v));
    expect(Array.from(a)).toEqual(Array.from(b));
    x.release();
  });

  it.each([
    [64, 2, 32, 16, 4],
    [48, 4, 12, 16, 3],
    [32, 1, 8, 4, 20], // K above the block count: clamped, every block kept
  ])('block top-K with K·B ≥ N equals dense: N=%i H=%i D=%i B=%i K=%i', async (n, heads, d, blockSize, topK) => {
    const gpu = await testGpu();
    const x = inputs(gpu, n, heads, d, n + d);
    const got = await gpu.read(
      bidirectionalAttention(gpu, x.t.q, x.t.k, x.t.v, { kind: 'block-topk', blockSize, topK }),
    );
    const want = attentionRef(x.host.q, x.host.k, x.host.v, { tq: n, tk: n, hq: heads, hkv: heads, d });
    expect(compare(got, want, n).maxAbsErr).toBeLessThanOrEqual(1e-4);
    x.release();
  });

  it('on a grid, sparse attention pools square patches: LLSA of the Morton-ordered tokens, back in raster order', async () => {
    const gpu = await testGpu();
    const [height, width, heads, d] = [8, 8, 2, 16];
    const n = height * width;
    const setting: AttentionSetting = { kind: 'llsa', blockSize: 4, topK: 2, levels: 2 };
    const x = inputs(gpu, n, heads, d, 7);
    const got = await gpu.read(bidirectionalAttention(gpu, x.t.q, x.t.k, x.t.v, setting, { grid: { height, width } }));
    const z = (a: Float32Array) => mortonReorderRef(a, height, width);
    const ref = llsaRef(z(x.host.q), z(x.host.k), z(x.host.v), { n, heads, d }, { block: 4, topk: 2, levels: 2 });
    const want = mortonReorderRef(ref.out, height, width, true);
    const cmp = compare(got, want, n);
    expect(cmp.maxAbsErr).toBeLessThanOrEqual(cmp.tolerance);
    // Without the grid the blocks are runs of raster rows, and the result differs.
    const flat = await gpu.read(bidirectionalAttention(gpu, x.t.q, x.t.k, x.t.v, setting));
    expect(compare(flat, want, n).maxAbsErr).toBeGreaterThan(1e-3);
    x.release();
  });

  it('a sequence that is not a multiple of B^L is bad input, naming the lengths that fit', async () => {
    const gpu = await testGpu();
    const x = inputs(gpu, 40, 1, 8, 3);
    expect(() =>
      bidirectionalAttention(gpu, x.t.q, x.t.k, x.t.v, { kind: 'block-topk', blockSize: 16, topK: 2 }),
    ).toThrow(
      expect.objectContaining({
        code: 'bad-input',
        message: expect.stringMatching(/multiple of B\^L = 16 tokens.*got 40/),
      }),
    );
    x.release();
  });
});

describe('attention settings', () => {
  it('span, dense-ness and description', () => {
    expect(attentionSpan({ kind: 'dense' })).toBe(1);
    expect(attentionSpan({ kind: 'block-topk', blockSize: 16, topK: 8 })).toBe(16);
    expect(attentionSpan({ kind: 'llsa', blockSize: 4, topK: 8, levels: 3 })).toBe(64);
    expect(isDense({})).toBe(true);
    expect(isDense({ attention: { kind: 'dense' }, mergeRatio: 0 })).toBe(true);
    expect(isDense({ mergeRatio: 0.5 })).toBe(false);
    expect(describeAttention({ attention: { kind: 'llsa', blockSize: 16, topK: 8, levels: 1 } })).toBe(
      'llsa (B=16, K=8, L=1)',
    );
    expect(describeAttention({ mergeRatio: 0.5 })).toBe('dense, token merging 0.5');
  });

  const bad: Array<[string, ModelAttention, RegExp]> = [
    ['B not a power of two', { attention: { kind: 'block-topk', blockSize: 12, topK: 2 } }, /power of two ≥ 2.*got 12/],
    ['B = 1', { attention: { kind: 'llsa', blockSize: 1, topK: 2, levels: 1 } }, /power of two ≥ 2.*got 1/],
    [
      'K = 0',
      { attention: { kind: 'block-topk', blockSize: 16, topK: 0 } },
      /top-K blocks must be a whole number ≥ 1; got 0/,
    ],
    ['K fractional', { attention: { kind: 'llsa', blockSize: 16, topK: 1.5, levels: 1 } }, /got 1\.5/],
    ['levels 0', { attention: { kind: 'llsa', blockSize: 16, topK: 8, levels: 0 } }, /levels must be .* 1 to 8; got 0/],
    ['levels 9', { attention: { kind: 'llsa', blockSize: 2, topK: 8, levels: 9 } }, /got 9/],
    ['ratio above 0.75', { mergeRatio: 0.8 }, /ratio must be from 0 \(off\) to 0\.75; got 0\.8/],
    ['ratio negative', { mergeRatio: -0.1 }, /got -0\.1/],
    ['ratio NaN', { mergeRatio: NaN }, /got NaN/],
    [
      'merging with sparse attention',
      { attention: { kind: 'block-topk', blockSize: 16, topK: 2 }, mergeRatio: 0.5 },
      /token merging runs with dense attention only/,
    ],
    ['an unknown kind', { attention: { kind: 'window' } as unknown as AttentionSetting }, /unknown attention "window"/],
  ];
  it.each(bad)('%s: bad input', (_name, m, re) => {
    expect(() => checkModelAttention(m)).toThrow(
      expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(re) }),
    );
  });

  it('more kept blocks than the kernels hold: bad input', () => {
    expect(() => checkAttentionFits({ kind: 'block-topk', blockSize: 2, topK: 65 }, 256, 1)).toThrow(
      expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(/keeps 65 blocks.*at most 64/) }),
    );
    // K above the block count is clamped, so it fits.
    expect(() => checkAttentionFits({ kind: 'block-topk', blockSize: 16, topK: 100 }, 256, 1)).not.toThrow();
  });
});
