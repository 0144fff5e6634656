import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { conv2d } from './conv2d.ts';
import { conv2dRef } from './reference/conv2d.ts';
import { measure } from './selfcheck.ts';
import type { VariantClass } from './variants.ts';

interface Case {
  cin: number; // input channels
  cout: number; // output channels
  height: number; // H
  width: number; // W
  k: number; // kernel side
}

// Awkward sizes: single pixels, H ≠ W, sizes that are not multiples of the tiles (8 channels × 8 pixels
// of a row for cpu, 8 channels × 8 × 8 pixels for gpu), Cin past one staged chunk of 8, 5×5 and 7×7
// kernels, then the decoder's shapes.
const CASES: Case[] = [
  { cin: 1, cout: 1, height: 1, width: 1, k: 1 },
  { cin: 1, cout: 1, height: 1, width: 1, k: 3 },
  { cin: 3, cout: 5, height: 7, width: 5, k: 3 },
  { cin: 3, cout: 3, height: 9, width: 9, k: 1 },
  { cin: 5, cout: 3, height: 1, width: 13, k: 3 },
  { cin: 9, cout: 9, height: 17, width: 11, k: 3 },
  { cin: 2, cout: 6, height: 4, width: 10, k: 5 },
  { cin: 2, cout: 2, height: 3, width: 3, k: 7 },
  { cin: 32, cout: 32, height: 8, width: 8, k: 1 }, // post_quant_conv
  { cin: 32, cout: 128, height: 8, width: 8, k: 3 }, // conv_in
  { cin: 128, cout: 128, height: 8, width: 8, k: 3 }, // 8×8 block
  { cin: 128, cout: 64, height: 16, width: 16, k: 3 }, // first up conv
  { cin: 64, cout: 64, height: 16, width: 16, k: 3 },
  { cin: 32, cout: 3, height: 32, width: 32, k: 3 }, // conv_out
];

describe('conv2d', () => {
  for (const c of CASES) {
    for (const variant of ['cpu', 'gpu'] as VariantClass[]) {
      for (const withBias of [true, false]) {
        const what = `[${c.cin}, ${c.height}, ${c.width}] → ${c.cout}, ${c.k}×${c.k} ${withBias ? 'with' : 'without'} bias (${variant})`;
        it(what, async () => {
          const gpu = await testGpu();
          const rng = new Rng(c.cin * 1000 + c.cout * 10 + c.k);
          const x = rng.floats(c.cin * c.height * c.width);
          const w = rng.floats(c.cout * c.cin * c.k * c.k, -0.2, 0.2);
          const b = withBias ? rng.floats(c.cout) : null;
          const tx = gpu.upload(x, [c.cin, c.height, c.width], 'x');
          const tw = gpu.upload(w, [c.cout, c.cin, c.k, c.k], 'weight');
          const tb = b ? gpu.upload(b, [c.cout], 'bias') : null;
          const r = await measure(
            gpu,
            () => conv2d(gpu, tx, tw, tb, { variant }),
            conv2dRef(x, w, b, c),
            c.cin * c.k * c.k,
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

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const tx = gpu.upload(new Float32Array(2 * 3 * 3), [2, 3, 3], 'x');
    const t2d = gpu.upload(new Float32Array(18), [2, 9], 'flat');
    const tw = gpu.upload(new Float32Array(4 * 2 * 9), [4, 2, 3, 3], 'weight');
    const teven = gpu.upload(new Float32Array(4 * 2 * 4), [4, 2, 2, 2], 'even');
    const tcin = gpu.upload(new Float32Array(4 * 3 * 9), [4, 3, 3, 3], 'cin3');
    const tb = gpu.upload(new Float32Array(3), [3], 'bias3');
    expect(() => conv2d(gpu, t2d, tw, null)).toThrow(/flat has shape \[2,9\], expected rank 3/);
    expect(() => conv2d(gpu, tx, teven, null)).toThrow(/2×2 kernel; expected an odd square side/);
    expect(() => conv2d(gpu, tx, tcin, null)).toThrow(/cin3 has shape \[4,3,3,3\], expected \[4,2,3,3\]/);
    expect(() => conv2d(gpu, tx, tw, tb)).toThrow(/bias3 has shape \[3\], expected \[4\]/);
    for (const t of [tx, t2d, tw, teven, tcin, tb]) t.release();
  });
});
