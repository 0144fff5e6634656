// The engine's interface and the plain-data types that cross the worker boundary. Types only: the
// store and the UI import this file and nothing else of the engine.

import type { AdapterSummary } from '../gpu/adapter.ts';
import type { KernelTiming, TimingSource } from '../gpu/profiler.ts';

export type { AdapterClass, AdapterSummary, KeyLimits } from '../gpu/adapter.ts';
export type { KernelTiming, TimingSource } from '../gpu/profiler.ts';
export type { ErrorCode, ErrorData } from '../shared/errors.ts';

export interface EngineInfo {
  adapter: AdapterSummary;
  timingSource: TimingSource; // how kernel times are measured on this adapter
  variants: Record<string, string>; // kernel family → variant chosen for this adapter class
}

/** One row of the self-test table. */
export interface SelftestRow {
  name: string; // kernel and case, e.g. "matmul+bias"
  pass: boolean;
  maxAbsErr: number; // against the float64 reference
  tolerance: number; // what the check allowed
  ms: number; // kernel wall time
  shape: string; // inputs, e.g. "M=67 K=129 N=33"
}

export interface SelftestReport {
  adapter: AdapterSummary;
  kernels: SelftestRow[];
}

export interface SelftestOptions {
  seed?: number; // random inputs; default 1
  only?: string[]; // run only checks whose name starts with one of these
}

export type SelftestProgress = (row: SelftestRow, index: number, total: number) => void;

/** One interface, used in-thread (Node: CLI, tests) and through the worker (browser). */
export interface EngineApi {
  info(): Promise<EngineInfo>;
  selftest(options?: SelftestOptions, onProgress?: SelftestProgress): Promise<SelftestReport>;
  /** Per-kernel timings of the last profiled call. */
  lastTimings(): Promise<KernelTiming[]>;
  dispose(): Promise<void>;
}
