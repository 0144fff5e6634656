// The engine: owns the GPU device and everything computed on it. The same class runs in-thread in
// Node (CLI, tests, benchmarks) and inside the Web Worker in the browser; the main thread never
// runs a kernel.

import type { Gpu } from '../gpu/gpu.ts';
import type { KernelTiming } from '../gpu/profiler.ts';
import { ALL_CHECKS } from '../kernels/selfchecks/index.ts';
import { kernelVariants } from '../kernels/variants.ts';
import { Rng } from '../shared/rng.ts';
import type { EngineApi, EngineInfo, SelftestOptions, SelftestProgress, SelftestReport, SelftestRow } from './api.ts';

export type GpuOpener = () => Promise<Gpu>;

export class LocalEngine implements EngineApi {
  private gpu: Promise<Gpu> | null = null;
  private timings: KernelTiming[] = [];

  constructor(private readonly open: GpuOpener) {}

  private device(): Promise<Gpu> {
    // A failed open is not cached: the next call tries again (e.g. after the user enables WebGPU).
    this.gpu ??= this.open().catch((e: unknown) => {
      this.gpu = null;
      throw e;
    });
    return this.gpu;
  }

  async info(): Promise<EngineInfo> {
    const gpu = await this.device();
    return { adapter: gpu.adapter, timingSource: gpu.profiler.source, variants: kernelVariants(gpu) };
  }

  async selftest(options: SelftestOptions = {}, onProgress?: SelftestProgress): Promise<SelftestReport> {
    const gpu = await this.device();
    const checks = options.only
      ? ALL_CHECKS.filter((c) => options.only!.some((p) => c.name.startsWith(p)))
      : ALL_CHECKS;
    const rows: SelftestRow[] = [];
    for (const [i, check] of checks.entries()) {
      // Each check gets its own seeded stream, so one check's inputs do not depend on the others.
      const rng = new Rng((options.seed ?? 1) * 7919 + i);
      const r = await check.run(gpu, rng);
      const row: SelftestRow = {
        name: check.name,
        pass: r.pass,
        maxAbsErr: r.maxAbsErr,
        tolerance: r.tolerance,
        ms: r.ms,
        shape: r.shape,
      };
      rows.push(row);
      onProgress?.(row, i, checks.length);
    }
    return { adapter: gpu.adapter, kernels: rows };
  }

  async lastTimings(): Promise<KernelTiming[]> {
    return this.timings;
  }

  async dispose(): Promise<void> {
    const gpu = this.gpu;
    this.gpu = null;
    if (gpu) (await gpu.catch(() => null))?.destroy();
  }
}
