import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { add, mul } from './elementwise.ts';
import { addRef, mulRef } from './reference/elementwise.ts';
import { measure } from './selfcheck.ts';

describe('elementwise', () => {
  const shapes: Array<[number[], number[]]> = [
    [[1], [1]],
    [[255], [255]],
    [[257, 1], [1]],
    [[3, 5, 7], [7]],
    [
      [64, 130],
      [64, 130],
    ],
    [[1, 70001], [70001]],
  ];
  for (const [sa, sb] of shapes) {
    for (const [name, fn, ref] of [
      ['add', add, addRef],
      ['mul', mul, mulRef],
    ] as const) {
      it(`${name} ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`, async () => {
        const gpu = await testGpu();
        const rng = new Rng(sa.length * 1000 + sa[sa.length - 1]);
        const na = sa.reduce((x, y) => x * y, 1);
        const nb = sb.reduce((x, y) => x * y, 1);
        const a = rng.floats(na);
        const b = rng.floats(nb);
        const ta = gpu.upload(a, sa, 'a');
        const tb = gpu.upload(b, sb, 'b');
        const r = await measure(gpu, () => fn(gpu, ta, tb), ref(a, b), 1, '');
        expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
        ta.release();
        tb.release();
      });
    }
  }

  it('rejects a b that does not broadcast', async () => {
    const gpu = await testGpu();
    const ta = gpu.upload(new Float32Array(6), [2, 3], 'a');
    const tb = gpu.upload(new Float32Array(2), [2], 'b');
    expect(() => add(gpu, ta, tb)).toThrow(/does not broadcast/);
    ta.release();
    tb.release();
  });
});
