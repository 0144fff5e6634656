// What every benchmark shares: the contract a benchmark module fulfils for bench/main.ts, and the
// kernel timer. Kernel time comes from timestamp queries when the device has them (GPU time of the
// passes alone), else from the wall clock around a drained queue (adds submit latency).

import type { Gpu } from '../src/gpu/gpu.ts';

export interface BenchContext {
  gpu: Gpu;
  warmup: number; // untimed runs per contender (pipeline compile, first-use clears)
  reps: number; // timed runs per contender; the median is reported
  maxMs: number; // contenders slower than this per run (after warm-up) are skipped
  log: (line: string) => void; // progress, to stderr
}

export interface BenchOutput {
  json: unknown; // the one JSON document printed with --json
  text: string; // the human report
  failures: string[]; // contenders whose results were wrong (exit status 1)
}

export interface Benchmark {
  summary: string; // one line for the usage text
  run(ctx: BenchContext): Promise<BenchOutput>;
}

/** Milliseconds the dispatches recorded by `launch` take on the device. */
export async function timeKernels(gpu: Gpu, launch: () => void): Promise<number> {
  await gpu.sync();
  if (gpu.profiler.source === 'timestamp') {
    gpu.profiler.enabled = true;
    await gpu.takeTimings(); // drop anything recorded before
    launch();
    await gpu.sync();
    const timings = await gpu.takeTimings();
    gpu.profiler.enabled = false;
    return timings.reduce((sum, t) => sum + t.ms, 0);
  }
  const t0 = performance.now();
  launch();
  await gpu.sync();
  return performance.now() - t0;
}

/** Formats a table with right-aligned numeric columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
