import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { groupNorm } from './groupnorm.ts';
import { groupNormRef } from './reference/groupnorm.ts';
import { measure } from './selfcheck.ts';
import type { VariantClass } from './variants.ts';

interface Case {
  shape: [number, number, number]; // [C, H, W]
  groups: number; // G
  offset?: number; // added to every x, to test groups with a large mean
}

// Single pixels, one element per group (variance 0: eps decides), H ≠ W, groups longer than the
// 256-wide reduction, a large mean, and the decoder's three levels.
const CASES: Case[] = [
  { shape: [1, 1, 1], groups: 1 },
  { shape: [2, 1, 1], groups: 1 },
  { shape: [8, 1, 1], groups: 8 },
  { shape: [4, 3, 5], groups: 2 },
  { shape: [6, 7, 7], groups: 3 },
  { shape: [3, 1, 257], groups: 1 },
  { shape: [12, 9, 5], groups: 4, offset: 1000 },
  { shape: [128, 8, 8], groups: 8 },
  { shape: [64, 16, 16], groups: 8 },
  { shape: [32, 32, 32], groups: 8 },
];

describe('groupnorm', () => {
  for (const { shape, groups, offset = 0 } of CASES) {
    for (const variant of ['cpu', 'gpu'] as VariantClass[]) {
      for (const silu of [false, true]) {
        const what = `${JSON.stringify(shape)} G=${groups}${offset ? ` + ${offset}` : ''}${silu ? ' + SiLU' : ''} (${variant})`;
        it(what, async () => {
          const gpu = await testGpu();
          const [C, H, W] = shape;
          const rng = new Rng(C * H * W + groups);
          const x = rng.floats(C * H * W, offset - 2, offset + 2);
          const w = rng.floats(C, 0.5, 1.5);
          const b = rng.floats(C);
          const tx = gpu.upload(x, shape, 'x');
          const tw = gpu.upload(w, [C], 'weight');
          const tb = gpu.upload(b, [C], 'bias');
          const eps = 1e-6;
          const r = await measure(
            gpu,
            () => groupNorm(gpu, tx, groups, tw, tb, { eps, silu, variant }),
            groupNormRef(x, w, b, groups, eps, silu),
            (C / groups) * H * W,
            '',
          );
          expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
          tx.release();
          tw.release();
          tb.release();
        });
      }
    }
  }

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const tx = gpu.upload(new Float32Array(6 * 4), [6, 2, 2], 'x');
    const tw = gpu.upload(new Float32Array(6), [6], 'weight');
    const t4 = gpu.upload(new Float32Array(4), [4], 'short');
    const flat = gpu.upload(new Float32Array(24), [6, 4], 'flat');
    expect(() => groupNorm(gpu, tx, 4, tw, tw)).toThrow(
      expect.objectContaining({
        code: 'bad-input',
        message: expect.stringMatching(/4 groups do not split the 6 channels/),
      }),
    );
    expect(() => groupNorm(gpu, tx, 0, tw, tw)).toThrow(/0 groups/);
    expect(() => groupNorm(gpu, tx, 3, t4, tw)).toThrow(/short has shape \[4\], expected \[6\]/);
    expect(() => groupNorm(gpu, tx, 3, tw, t4)).toThrow(/short has shape/);
    expect(() => groupNorm(gpu, flat, 3, tw, tw)).toThrow(/flat has shape \[6,4\], expected rank 3/);
    expect(() => groupNorm(gpu, tx, 3, tw, tw, { eps: 0 })).toThrow(/eps must be a positive/);
    for (const t of [tx, tw, t4, flat]) t.release();
  });
});
