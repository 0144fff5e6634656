import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { conv2dStridedRef, patchifyRef } from './reference/patchify.ts';
import { matmul } from './matmul.ts';
import { patchify } from './patchify.ts';
import { measure } from './selfcheck.ts';
import { patchifyChecks } from './selfchecks/patchify.ts';

describe('patchify', () => {
  // [C, H, W, p]: 1×1 patches, a single patch, H ≠ W, TiTok's 16-px patches of a 256² RGB image.
  const shapes: Array<[number, number, number, number]> = [
    [1, 1, 1, 1],
    [3, 4, 4, 4],
    [2, 6, 9, 3],
    [5, 10, 5, 5],
    [3, 256, 256, 16],
  ];
  for (const [C, H, W, p] of shapes) {
    it(`[${C}, ${H}, ${W}] in ${p}×${p} patches`, async () => {
      const gpu = await testGpu();
      const x = new Rng(C * H * W + p).floats(C * H * W);
      const tx = gpu.upload(x, [C, H, W], 'x');
      const out = patchify(gpu, tx, p);
      expect(out.shape).toEqual([(H / p) * (W / p), C * p * p]);
      out.release();
      const r = await measure(gpu, () => patchify(gpu, tx, p), patchifyRef(x, C, H, W, p), 1, '');
      expect(r.maxAbsErr).toBe(0); // a gather, so exact
      tx.release();
    });
  }

  it('then a matmul with the weight [Cout, C·p·p] is the stride-p convolution', async () => {
    const gpu = await testGpu();
    const [C, H, W, p, Cout] = [3, 12, 8, 4, 5];
    const rng = new Rng(9);
    const x = rng.floats(C * H * W);
    const w = rng.floats(Cout * C * p * p);
    const tx = gpu.upload(x, [C, H, W], 'x');
    const tw = gpu.upload(w, [Cout, C * p * p], 'weight');
    const patches = patchify(gpu, tx, p);
    // out [G, Cout]; the reference is channel-major [Cout, H/p, W/p]
    const want = conv2dStridedRef(x, w, C, H, W, Cout, p);
    const G = (H / p) * (W / p);
    const r = await measure(
      gpu,
      () => matmul(gpu, patches, tw, { transB: true }),
      transposeOf(want, Cout, G),
      C * p * p,
      '',
    );
    expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
    for (const t of [tx, tw, patches]) t.release();
  });

  for (const c of patchifyChecks) {
    it(`self-check "${c.name}"`, async () => {
      const r = await c.run(await testGpu(), new Rng(11));
      expect(r.pass).toBe(true);
    });
  }

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const tx = gpu.upload(new Float32Array(3 * 4 * 6), [3, 4, 6], 'img');
    const flat = gpu.upload(new Float32Array(6), [6], 'flat');
    expect(() => patchify(gpu, tx, 4)).toThrow(/patch 4 does not divide img \[3, 4, 6\]/);
    expect(() => patchify(gpu, tx, 0)).toThrow(/patch must be a positive integer/);
    expect(() => patchify(gpu, flat, 2)).toThrow(/expected rank 3/);
    tx.release();
    flat.release();
  });
});

function transposeOf(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}
