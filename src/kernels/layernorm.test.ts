import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { layerNorm } from './layernorm.ts';
import { layerNormRef } from './reference/layernorm.ts';
import { measure } from './selfcheck.ts';
import type { VariantClass } from './variants.ts';

interface Case {
  shape: number[]; // x's shape; the last dimension is normalised
  offset?: number; // added to every x, to test rows with a large mean
  variants?: VariantClass[]; // which variants run it; default both
}

const BOTH: VariantClass[] = ['cpu', 'gpu'];

// The `gpu` variant runs too, but its barriers are slow on SwiftShader, so its row counts stay modest.
const CASES: Case[] = [
  { shape: [1, 1] },
  { shape: [5] },
  { shape: [1, 7] },
  { shape: [3, 257] },
  { shape: [130, 64] },
  { shape: [1, 4099] },
  { shape: [67, 768] },
  { shape: [2, 3, 50] },
  { shape: [33, 300], offset: 1000 },
  { shape: [1000, 33], variants: ['cpu'] },
];

describe('layernorm', () => {
  for (const { shape, offset = 0, variants = BOTH } of CASES) {
    for (const variant of variants) {
      for (const withBias of [true, false]) {
        const what = `${JSON.stringify(shape)}${offset ? ` + ${offset}` : ''} ${withBias ? 'with' : 'without'} bias (${variant})`;
        it(what, async () => {
          const gpu = await testGpu();
          const C = shape[shape.length - 1];
          const n = shape.reduce((a, b) => a * b, 1);
          const rng = new Rng(n * 7 + C);
          const x = rng.floats(n, offset - 1, offset + 1);
          const w = rng.floats(C, 0.5, 1.5);
          const b = withBias ? rng.floats(C) : null;
          const tx = gpu.upload(x, shape, 'x');
          const tw = gpu.upload(w, [C], 'weight');
          const tb = b ? gpu.upload(b, [C], 'bias') : null;
          const eps = 1e-5;
          const r = await measure(
            gpu,
            () => layerNorm(gpu, tx, tw, tb, { eps, variant }),
            layerNormRef(x, w, b, eps),
            C,
            '',
          );
          expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
          tx.release();
          tw.release();
          tb?.release();
        });
      }
    }
  }

  it('uses eps: a constant row normalises to the bias', async () => {
    const gpu = await testGpu();
    const C = 10;
    const x = new Float32Array(2 * C).fill(3);
    const w = new Float32Array(C).fill(2);
    const b = Float32Array.from({ length: C }, (_, i) => i);
    const tx = gpu.upload(x, [2, C], 'x');
    const tw = gpu.upload(w, [C], 'weight');
    const tb = gpu.upload(b, [C], 'bias');
    const r = await measure(gpu, () => layerNorm(gpu, tx, tw, tb, { eps: 0.5 }), layerNormRef(x, w, b, 0.5), C, '');
    expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
    tx.release();
    tw.release();
    tb.release();
  });

  it('covers row counts past the per-dimension workgroup limit (cpu variant)', async () => {
    const gpu = await testGpu();
    const rows = 64 * gpu.adapter.limits.maxComputeWorkgroupsPerDimension + 3;
    const C = 2;
    const rng = new Rng(5);
    const x = rng.floats(rows * C);
    const w = rng.floats(C, 0.5, 1.5);
    const b = rng.floats(C);
    const tx = gpu.upload(x, [rows, C], 'x');
    const tw = gpu.upload(w, [C], 'weight');
    const tb = gpu.upload(b, [C], 'bias');
    const r = await measure(
      gpu,
      () => layerNorm(gpu, tx, tw, tb, { variant: 'cpu' }),
      layerNormRef(x, w, b, 1e-5),
      C,
      '',
    );
    expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
    tx.release();
    tw.release();
    tb.release();
  });

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const tx = gpu.upload(new Float32Array(6), [2, 3], 'x');
    const tw = gpu.upload(new Float32Array(3), [3], 'weight');
    const t2 = gpu.upload(new Float32Array(2), [2], 'short');
    const ti = gpu.upload(new Int32Array(6), [2, 3], 'ids');
    expect(() => layerNorm(gpu, tx, t2, null)).toThrow(/short has shape \[2\], expected \[3\]/);
    expect(() => layerNorm(gpu, tx, tw, t2)).toThrow(/short has shape/);
    expect(() => layerNorm(gpu, ti, tw, null)).toThrow(/ids is i32/);
    expect(() => layerNorm(gpu, tx, tw, null, { eps: 0 })).toThrow(/eps must be a positive/);
    expect(() => layerNorm(gpu, tx, tw, null, { eps: NaN })).toThrow(/eps must be a positive/);
    tx.release();
    tw.release();
    t2.release();
    ti.release();
  });
});
