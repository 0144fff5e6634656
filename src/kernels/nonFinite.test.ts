import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { NO_INDEX, nonFinite } from './nonFinite.ts';
import { nonFiniteRef } from './reference/nonFinite.ts';
import type { VariantClass } from './variants.ts';

async function scan(x: Float32Array, shape: number[] = [x.length], variant?: VariantClass): Promise<number[]> {
  const gpu = await testGpu();
  const tx = gpu.upload(x, shape, 'x');
  const out = nonFinite(gpu, tx, { variant });
  const got = Array.from(await gpu.read(out));
  out.release();
  tx.release();
  return got;
}

describe.each(['cpu', 'gpu'] as const)('nonFinite, %s variant', (variant) => {
  it.each([1, 7, 255, 256, 257, 1000, 50_257, 262_147])('finite values only: N=%i → [0, none]', async (n) => {
    const x = new Rng(n).floats(n);
    expect(await scan(x, [n], variant)).toEqual([0, NO_INDEX]);
  });

  it.each([1, 255, 256, 257, 1000, 50_257, 262_147])('random NaN / ±inf in N=%i match the reference', async (n) => {
    const rng = new Rng(3 * n + 1);
    const x = rng.floats(n);
    const hits = 1 + rng.int(Math.min(n, 40));
    for (let k = 0; k < hits; k++) x[rng.int(n)] = [NaN, Infinity, -Infinity][rng.int(3)];
    const want = nonFiniteRef(x);
    expect(want[0]).toBeGreaterThan(0);
    expect(await scan(x, [n], variant)).toEqual(want);
  });

  it('awkward values: the first hit is the lowest index whatever the invocation; denormals, ±0 and max are finite', async () => {
    const x = new Float32Array(1025);
    x[0] = -0;
    x[1] = 1e-45; // smallest denormal
    x[2] = 3.4028234663852886e38; // largest f32
    x[3] = -3.4028234663852886e38;
    x[700] = NaN;
    x[513] = -Infinity; // invocation 1, second pass: still before 700
    x[1024] = Infinity;
    expect(nonFiniteRef(x)).toEqual([3, 513]);
    expect(await scan(x, [1025], variant)).toEqual([3, 513]);
    expect(await scan(x, [25, 41], variant)).toEqual([3, 513]); // any shape, read as its N values
  });

  it('all values non-finite', async () => {
    const x = new Float32Array(300).fill(NaN);
    expect(await scan(x, [300], variant)).toEqual([300, 0]);
  });

  it('rejects an i32 tensor', async () => {
    const gpu = await testGpu();
    const t = gpu.upload(new Int32Array(4), [4], 'ids');
    expect(() => nonFinite(gpu, t)).toThrow(/ids is i32, expected f32/);
    t.release();
  });
});
