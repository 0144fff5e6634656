// The self-test contract: every kernel contributes checks that run it on random inputs and compare
// with its float64 reference. The engine's `selftest()` runs them all (CLI and browser alike); the
// Vitest suites reuse `measure` over many more shapes.

import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { Rng } from '../shared/rng.ts';
import { compare, type Comparison } from './reference/compare.ts';

export interface CheckOutcome extends Comparison {
  ms: number; // wall time of the kernel alone (inputs uploaded before, readback after)
  shape: string; // what was run, e.g. "M=67 K=129 N=33"
}

export interface KernelCheck {
  name: string; // row name in the self-test table, e.g. "matmul+bias"
  run(gpu: Gpu, rng: Rng): Promise<CheckOutcome>;
}

/** Runs `launch` twice (the second timed between two queue drains), reads its output and compares it with
 *  `want`. `reduction` is the longest sum behind one output (sets the tolerance). Releases `out`. */
export async function measure(
  gpu: Gpu,
  launch: () => Tensor,
  want: ArrayLike<number>,
  reduction: number,
  shape: string,
): Promise<CheckOutcome> {
  // An untimed first run compiles the pipeline, so `ms` is the kernel's time, not the compiler's.
  launch().release();
  await gpu.sync();
  const t0 = performance.now();
  const out = launch();
  await gpu.sync();
  const ms = performance.now() - t0;
  const got = await gpu.read(out);
  out.release();
  return { ...compare(got, want, reduction), ms, shape };
}
