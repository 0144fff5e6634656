// The adapter's own limits, measured in the same run as the kernels they judge (machines are shared
// and clocks drift, so only same-run ratios mean anything; webgpu-performance.md §8):
// - FMA peak: shaders/bench_fma.wgsl, 16 independent vec4 multiply-add chains per invocation in
//   registers, FLOPs = invocations · iterations · 16 · 4 · 2;
// - copy bandwidth: shaders/bench_copy.wgsl, 64 MB → 64 MB in vec4s with 256 invocations per
//   workgroup, bytes = read + write.

import copyCode from '../shaders/bench_copy.wgsl?raw';
import fmaCode from '../shaders/bench_fma.wgsl?raw';
import type { Gpu } from '../src/gpu/gpu.ts';
import type { Tensor } from '../src/gpu/tensor.ts';
import { timeKernels } from './harness.ts';

const FMA_FLOPS_PER_ITERATION = 16 * 4 * 2; // chains · lanes · (multiply + add)
const FMA_TARGET_MS = 100; // calibrate the loop so one run is long against timer noise and dispatch cost
const COPY_BYTES = 64 * 1024 * 1024; // per buffer

export class Ceilings {
  private readonly fmaOut: Tensor; // [invocations, 4]
  private readonly src: Tensor; // [COPY_BYTES / 4]
  private readonly dst: Tensor; // [COPY_BYTES / 4]
  private readonly invocations: number;
  private iterations = 256;

  constructor(private readonly gpu: Gpu) {
    // A GPU needs hundreds of thousands of threads in flight; SwiftShader is saturated by a few dozen
    // workgroups (it spreads them over min(cores, 16) threads).
    const workgroups = gpu.adapterClass === 'cpu' ? 256 : 8192;
    this.invocations = workgroups * 64;
    this.fmaOut = gpu.empty([this.invocations, 4], 'f32', 'bench.fma.out');
    this.src = gpu.empty([COPY_BYTES / 4], 'f32', 'bench.copy.src');
    this.dst = gpu.empty([COPY_BYTES / 4], 'f32', 'bench.copy.dst');
  }

  /** Compiles both kernels and sizes the FMA loop to about FMA_TARGET_MS per run. */
  async calibrate(): Promise<void> {
    await this.fma();
    await this.copy();
    const ms = await timeKernels(this.gpu, () => this.launchFma());
    const scale = FMA_TARGET_MS / Math.max(ms, 0.01);
    this.iterations = Math.min(1 << 20, Math.max(64, Math.round(this.iterations * scale)));
  }

  /** One FMA-peak run, in GFLOP/s. */
  async fma(): Promise<number> {
    const ms = await timeKernels(this.gpu, () => this.launchFma());
    return (this.invocations * this.iterations * FMA_FLOPS_PER_ITERATION) / (ms * 1e6);
  }

  /** One copy run, in GB/s counting read and write. */
  async copy(): Promise<number> {
    const n = COPY_BYTES / 16; // vec4s
    const ms = await timeKernels(this.gpu, () =>
      this.gpu.run({
        label: 'bench.copy',
        code: copyCode,
        params: { n },
        bindings: [this.src, this.dst],
        workgroups: this.gpu.grid(Math.ceil(n / 256)),
      }),
    );
    return (2 * COPY_BYTES) / (ms * 1e6);
  }

  release(): void {
    this.fmaOut.release();
    this.src.release();
    this.dst.release();
  }

  private launchFma(): void {
    this.gpu.run({
      label: 'bench.fma',
      code: fmaCode,
      params: { iterations: this.iterations, m: 0.999, c: 0.001 },
      bindings: [this.fmaOut],
      workgroups: this.gpu.grid(this.invocations / 64),
    });
  }
}
