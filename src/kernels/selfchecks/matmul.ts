import type { Gpu } from '../../gpu/gpu.ts';
import type { Rng } from '../../shared/rng.ts';
import { matmul } from '../matmul.ts';
import { matmulRef } from '../reference/matmul.ts';
import { measure, type CheckOutcome, type KernelCheck } from '../selfcheck.ts';

interface CheckShape {
  batch: number; // 1: a is [M, K]; more: a is [batch, M, K] with a b per batch entry
  m: number;
  n: number;
  k: number;
  transB: boolean; // b is [N, K]
  bias: boolean;
}

async function check(gpu: Gpu, rng: Rng, s: CheckShape): Promise<CheckOutcome> {
  const { batch, m, n, k } = s;
  const a = rng.floats(batch * m * k);
  const b = rng.floats(batch * k * n);
  const bias = s.bias ? rng.floats(n) : undefined;
  const bMat = s.transB ? [n, k] : [k, n];
  const ta = gpu.upload(a, batch > 1 ? [batch, m, k] : [m, k], 'a'); // [batch?, M, K]
  const tb = gpu.upload(b, batch > 1 ? [batch, ...bMat] : bMat, 'b'); // [batch?, K, N] or [batch?, N, K]
  const tbias = bias ? gpu.upload(bias, [n], 'bias') : undefined; // [N]
  const want = matmulRef(a, b, { batch, m, n, k, transB: s.transB }, bias);
  const shape = `${batch > 1 ? `batch=${batch} ` : ''}M=${m} K=${k} N=${n}`;
  const r = await measure(gpu, () => matmul(gpu, ta, tb, { bias: tbias, transB: s.transB }), want, k, shape);
  ta.release();
  tb.release();
  tbias?.release();
  return r;
}

export const matmulChecks: KernelCheck[] = [
  {
    name: 'matmul',
    run: (gpu, rng) => check(gpu, rng, { batch: 1, m: 67, n: 129, k: 96, transB: false, bias: false }),
  },
  {
    name: 'matmul+bias',
    run: (gpu, rng) => check(gpu, rng, { batch: 1, m: 45, n: 70, k: 129, transB: false, bias: true }),
  },
  {
    name: 'matmul (transposed B)',
    run: (gpu, rng) => check(gpu, rng, { batch: 1, m: 33, n: 96, k: 200, transB: true, bias: true }),
  },
  {
    name: 'matmul (batched)',
    run: (gpu, rng) => check(gpu, rng, { batch: 3, m: 20, n: 37, k: 51, transB: false, bias: false }),
  },
];
