// One generation step with its cost: wall time, and per-kernel GPU time from the profiler.

import type { Gpu } from '../gpu/gpu.ts';
import type { KernelTiming } from '../gpu/profiler.ts';

export async function profiled<T>(
  gpu: Gpu,
  step: () => Promise<T>,
): Promise<{ result: T; ms: number; timings: KernelTiming[] }> {
  gpu.profiler.enabled = true;
  try {
    const t0 = performance.now();
    const result = await step();
    const ms = performance.now() - t0;
    return { result, ms, timings: await gpu.takeTimings() };
  } finally {
    gpu.profiler.enabled = false;
  }
}
