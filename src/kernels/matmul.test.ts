import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { MATMUL_VARIANTS, matmul, matmulVariant, type MatmulVariant } from './matmul.ts';
import { matmulRef } from './reference/matmul.ts';
import { measure } from './selfcheck.ts';

interface Case {
  m: number;
  n: number;
  k: number;
  batch?: number; // a is [batch, M, K]
  sharedB?: boolean; // with batch: b is one [K, N] for every batch entry
  transB?: boolean;
  bias?: boolean;
}

// None of M, N, K is a multiple of a tile (16×16 register blocks, 64×64 workgroup tiles, 8-column
// GEMV blocks, k in steps of 4) except where a case says so.
const CASES: Case[] = [
  { m: 1, n: 1, k: 1 },
  { m: 3, n: 17, k: 5 },
  { m: 17, n: 3, k: 67, bias: true },
  { m: 67, n: 129, k: 33 },
  { m: 129, n: 67, k: 17, transB: true, bias: true },
  { m: 1, n: 67, k: 2048, transB: true },
  { m: 1, n: 129, k: 1023, bias: true },
  { m: 2, n: 19, k: 2048 },
  { m: 130, n: 64, k: 4 },
  { m: 19, n: 21, k: 13, batch: 3, bias: true },
  { m: 33, n: 7, k: 9, batch: 2, sharedB: true, transB: true },
  { m: 5, n: 40, k: 70, batch: 2, transB: true },
];

function describeCase(c: Case): string {
  const parts = [`M=${c.m} N=${c.n} K=${c.k}`];
  if (c.batch) parts.push(`batch=${c.batch}${c.sharedB ? ' (shared b)' : ''}`);
  if (c.transB) parts.push('transB');
  if (c.bias) parts.push('bias');
  return parts.join(' ');
}

async function runCase(variant: MatmulVariant | undefined, c: Case, seed: number): Promise<void> {
  const gpu = await testGpu();
  const rng = new Rng(seed);
  const batch = c.batch ?? 1;
  const bBatch = c.batch && !c.sharedB ? c.batch : 0;
  const a = rng.floats(batch * c.m * c.k);
  const b = rng.floats(Math.max(1, bBatch) * c.k * c.n);
  const bias = c.bias ? rng.floats(c.n) : undefined;
  const bMat = c.transB ? [c.n, c.k] : [c.k, c.n];
  const ta = gpu.upload(a, c.batch ? [batch, c.m, c.k] : [c.m, c.k], 'a'); // [batch?, M, K]
  const tb = gpu.upload(b, bBatch ? [bBatch, ...bMat] : bMat, 'b'); // [batch?, K, N] or [batch?, N, K]
  const tbias = bias ? gpu.upload(bias, [c.n], 'bias') : undefined; // [N]
  const want = matmulRef(a, b, { batch, m: c.m, n: c.n, k: c.k, transB: c.transB, sharedB: !bBatch }, bias);
  const r = await measure(
    gpu,
    () => matmul(gpu, ta, tb, { bias: tbias, transB: c.transB, variant }),
    want,
    c.k,
    describeCase(c),
  );
  expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
  ta.release();
  tb.release();
  tbias?.release();
}

describe('matmul', () => {
  for (const variant of MATMUL_VARIANTS) {
    describe(variant, () => {
      CASES.forEach((c, i) => {
        it(describeCase(c), () => runCase(variant, c, 100 * i + variant.length));
      });
    });
  }

  it('picks GEMV for tiny M and the adapter-class kernel otherwise', async () => {
    const gpu = await testGpu();
    expect(matmulVariant(gpu, 1)).toBe('gemv');
    expect(matmulVariant(gpu, 512)).toBe(gpu.adapterClass === 'cpu' ? 'register' : 'tiled');
  });

  // 2100 · 2049 outputs at 64 per workgroup exceed the 65535 workgroups one dispatch axis allows.
  it('naive splits a large output over two grid axes', () => runCase('naive', { m: 2100, n: 2049, k: 3 }, 11));

  it('runs the default choice on a GPT-2-sized projection with bias', () =>
    runCase(undefined, { m: 33, n: 96, k: 768, transB: true, bias: true }, 7));

  describe('rejects bad arguments', () => {
    async function tensors(shapes: number[][]) {
      const gpu = await testGpu();
      return { gpu, ts: shapes.map((s, i) => gpu.upload(new Float32Array(s.reduce((x, y) => x * y, 1)), s, `t${i}`)) };
    }

    it('K mismatch', async () => {
      const { gpu, ts } = await tensors([
        [4, 5],
        [6, 3],
      ]);
      expect(() => matmul(gpu, ts[0], ts[1])).toThrow(/disagree on K/);
      expect(() => matmul(gpu, ts[0], ts[1], { transB: true })).toThrow(/disagree on K/);
      ts.forEach((t) => t.release());
    });

    it('bias of the wrong length', async () => {
      const { gpu, ts } = await tensors([[4, 5], [5, 3], [4]]);
      expect(() => matmul(gpu, ts[0], ts[1], { bias: ts[2] })).toThrow(/bias|t2/);
      ts.forEach((t) => t.release());
    });

    it('batched b without a matching batched a', async () => {
      const { gpu, ts } = await tensors([
        [4, 5],
        [2, 5, 3],
        [3, 4, 5],
      ]);
      expect(() => matmul(gpu, ts[0], ts[1])).toThrow(/batch dimension/);
      expect(() => matmul(gpu, ts[2], ts[1])).toThrow(/batch dimension/);
      ts.forEach((t) => t.release());
    });

    it('wrong rank and dtype', async () => {
      const { gpu, ts } = await tensors([[20], [5, 3]]);
      expect(() => matmul(gpu, ts[0], ts[1])).toThrow(/must be \[M, K\]/);
      const ti = gpu.upload(new Int32Array(15), [3, 5], 'ints');
      expect(() => matmul(gpu, ti, ts[1])).toThrow(/i32, expected f32/);
      ti.release();
      ts.forEach((t) => t.release());
    });
  });
});
