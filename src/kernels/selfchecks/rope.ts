import type { Gpu } from '../../gpu/gpu.ts';
import type { Rng } from '../../shared/rng.ts';
import { ropeRef } from '../reference/rope.ts';
import { rope, ropeTable, type RopeLayout } from '../rope.ts';
import { measure, type CheckOutcome, type KernelCheck } from '../selfcheck.ts';

interface RopeCase {
  T: number; // rows
  H: number; // heads
  D: number; // head dim
  rotaryDim: number; // rotated dims per head
  pos0: number; // position of row 0
  theta: number; // rope_theta
  layout: RopeLayout;
}

/** Runs one rope case against the float64 reference; used by the self-checks and the tests. */
export async function ropeCase(gpu: Gpu, rng: Rng, c: RopeCase): Promise<CheckOutcome> {
  const x = rng.floats(c.T * c.H * c.D);
  const rt = ropeTable(gpu, { maxPos: c.pos0 + c.T, rotaryDim: c.rotaryDim, theta: c.theta });
  const tx = gpu.upload(x, [c.T, c.H, c.D], 'x'); // [T, H, D]
  const want = ropeRef(x, [c.T, c.H, c.D], c);
  const shape = `T=${c.T} H=${c.H} D=${c.D} R=${c.rotaryDim} pos0=${c.pos0}`;
  const r = await measure(gpu, () => rope(gpu, tx, rt, c), want, 1, shape);
  tx.release();
  rt.table.release();
  return r;
}

export const ropeChecks: KernelCheck[] = [
  {
    name: 'rope (rotate-half)',
    run: (gpu, rng) =>
      ropeCase(gpu, rng, { T: 33, H: 4, D: 64, rotaryDim: 64, pos0: 4000, theta: 10000, layout: 'rotate-half' }),
  },
  {
    name: 'rope (interleaved)',
    run: (gpu, rng) =>
      ropeCase(gpu, rng, { T: 29, H: 3, D: 80, rotaryDim: 48, pos0: 4100, theta: 500000, layout: 'interleaved' }),
  },
];
