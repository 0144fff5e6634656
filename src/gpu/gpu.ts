// The GPU runtime: one object per device that every kernel goes through. It owns the buffer pool,
// the pipeline cache and the profiler, records dispatches into one command encoder (one compute pass
// per dispatch, so each can be timed), and submits on `flush()` or before a readback.
// Errors from the device (validation, out-of-memory, loss) become typed StepwiseErrors.

import { StepwiseError } from '../shared/errors.ts';
import { summarizeAdapter, type AdapterSummary } from './adapter.ts';
import { BufferPool } from './buffers.ts';
import { MapRead, Usage } from './constants.ts';
import { packParams, reflectParams, type ParamField, type ParamValues } from './params.ts';
import { PipelineCache, type PipelineKey } from './pipelines.ts';
import { Profiler, type KernelTiming } from './profiler.ts';
import { dtypeOf, hostArrayFor, numel, type DType, type HostArray, type Tensor } from './tensor.ts';

export interface OpenGpuOptions {
  /** Ask for timestamp-query when the adapter has it (needed for exact per-kernel timing). */
  timestamps?: boolean;
  powerPreference?: GPUPowerPreference;
}

export interface Dispatch extends PipelineKey {
  params?: ParamValues; // values for the shader's `struct Params`, bound at @binding(0)
  bindings: Array<Tensor | GPUBuffer>; // storage buffers at @binding(1), @binding(2) … in order
  workgroups: readonly [number, number?, number?];
}

const STORAGE = Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST;

export class Gpu {
  readonly adapter: AdapterSummary;
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly profiler: Profiler;
  /** Bytes the device can hold at most, when known (a CPU adapter's host memory), else null. */
  memoryBudget: number | null = null;
  private encoder: GPUCommandEncoder | null = null;
  private uniformsInFlight: GPUBuffer[] = [];
  private paramLayouts = new Map<string, ParamField[]>();
  private deviceError: StepwiseError | null = null;
  private destroyed = false;
  private tensorCount = 0;
  private weightBuffers = 0; // persistent (weight) buffers alive
  private weightBytes = 0; // their bytes
  private allocations: Promise<StepwiseError | null>[] = []; // error scopes of persistent buffers not yet checked

  constructor(
    readonly device: GPUDevice,
    adapter: GPUAdapter,
  ) {
    this.adapter = summarizeAdapter(adapter);
    this.pool = new BufferPool(device);
    this.pipelines = new PipelineCache(device);
    this.profiler = new Profiler(device);
    device.addEventListener('uncapturederror', (ev) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      const oom = err.constructor.name === 'GPUOutOfMemoryError';
      this.deviceError ??= new StepwiseError(
        'gpu',
        `GPU error: ${err.message}`,
        oom ? 'the GPU ran out of memory: try a smaller model or setting' : undefined,
      );
    });
    void device.lost.then((info) => {
      if (this.destroyed || info.reason === 'destroyed') return;
      this.deviceError = new StepwiseError(
        'device-lost',
        `the GPU device was lost: ${info.message || 'no reason given'}`,
        'reload the page (or restart the command); if it repeats, close other GPU-heavy tabs',
      );
    });
  }

  get adapterClass(): 'cpu' | 'gpu' {
    return this.adapter.adapterClass;
  }

  /** Splits a 1-D count of workgroups into x·y ≤ the per-dimension limit. Shaders recover the linear
   *  index as `wid.y * nwg.x + wid.x` and must ignore indices past the real count. */
  grid(workgroups: number): [number, number] {
    const max = this.adapter.limits.maxComputeWorkgroupsPerDimension;
    if (workgroups <= max) return [Math.max(1, workgroups), 1];
    const y = Math.ceil(workgroups / max);
    return [Math.ceil(workgroups / y), y];
  }

  // ---- tensors ------------------------------------------------------------------------------

  /** A pooled tensor with undefined contents. */
  empty(shape: readonly number[], dtype: DType, label: string): Tensor {
    const bytes = numel(shape) * 4;
    const buffer = this.pool.acquire(bytes, STORAGE, label);
    this.tensorCount++;
    let released = false;
    return {
      buffer,
      shape: [...shape],
      dtype,
      label,
      release: () => {
        if (released) return;
        released = true;
        this.tensorCount--;
        this.pool.release(buffer);
      },
    };
  }

  /** A pooled tensor filled from host data. Flushes pending work first, because queue writes run
   *  before any not-yet-submitted commands that might still read a recycled buffer. */
  upload(data: HostArray, shape: readonly number[], label: string): Tensor {
    if (data.length !== numel(shape)) {
      throw new StepwiseError('internal', `${label}: ${data.length} values for shape [${shape.join(', ')}]`);
    }
    this.flush();
    const t = this.empty(shape, dtypeOf(data), label);
    this.device.queue.writeBuffer(t.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return t;
  }

  /** A tensor that owns a dedicated buffer (model weights): not pooled, destroyed on release. Counted
   *  in `memory()`. An allocation the GPU refuses (out of memory) is reported by `checkAllocations()`,
   *  so a loader can stop at the first refused buffer instead of after uploading every weight. */
  persistent(data: HostArray, shape: readonly number[], label: string): Tensor {
    if (data.length !== numel(shape)) {
      throw new StepwiseError('internal', `${label}: ${data.length} values for shape [${shape.join(', ')}]`);
    }
    const size = BufferPool.roundSize(data.byteLength);
    // Scopes, innermost first: the allocation's out-of-memory, then the write into a buffer that may
    // be invalid because of it (a consequence, reported as the allocation's failure).
    this.device.pushErrorScope('validation');
    this.device.pushErrorScope('out-of-memory');
    const buffer = this.device.createBuffer({ label, size, usage: STORAGE });
    const oom = this.device.popErrorScope();
    this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    const invalid = this.device.popErrorScope();
    this.allocations.push(
      Promise.all([oom, invalid]).then(([o, v]) => (o || v ? allocationError(label, size, o ?? v!) : null)),
    );
    this.weightBuffers++;
    this.weightBytes += size;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.weightBuffers--;
      this.weightBytes -= size;
      buffer.destroy();
    };
    return { buffer, shape: [...shape], dtype: dtypeOf(data), label, release };
  }

  /** Throws a typed error if a persistent buffer created since the last call could not be allocated. */
  async checkAllocations(): Promise<void> {
    const pending = this.allocations;
    this.allocations = [];
    const failed = (await Promise.all(pending)).find((e) => e !== null);
    if (failed) throw failed;
  }

  /** Reads a tensor back to the host (submits pending work). */
  async read(t: Tensor): Promise<HostArray> {
    return (await this.readAll([t]))[0];
  }

  /** Reads tensors back through one staging buffer: one submit and one wait for all of them. */
  async readAll(ts: readonly Tensor[]): Promise<HostArray[]> {
    const bytes = ts.map((t) => numel(t.shape) * 4);
    const offsets: number[] = [];
    let size = 0;
    for (const b of bytes) {
      offsets.push(size);
      size += BufferPool.roundSize(b);
    }
    const label = ts.map((t) => t.label).join(' + ');
    const staging = this.device.createBuffer({
      label: `${label}.readback`,
      size,
      usage: Usage.MAP_READ | Usage.COPY_DST,
    });
    const encoder = this.encode();
    ts.forEach((t, i) => encoder.copyBufferToBuffer(t.buffer, 0, staging, offsets[i], BufferPool.roundSize(bytes[i])));
    this.flush();
    try {
      await staging.mapAsync(MapRead);
    } catch (e) {
      await this.check();
      throw new StepwiseError('gpu', `reading ${label} back failed: ${(e as Error).message}`);
    }
    const out = ts.map((t, i) => hostArrayFor(t.dtype, staging.getMappedRange(offsets[i], bytes[i]).slice(0)));
    staging.unmap();
    staging.destroy();
    await this.check();
    return out;
  }

  /** Records a copy of `elements` 4-byte elements from src (at element srcOffset) into dst (at
   *  element dstOffset): how KV caches are appended to and rows sliced, without a kernel. */
  copy(src: Tensor, srcOffset: number, dst: Tensor, dstOffset: number, elements: number): void {
    const srcEnd = srcOffset + elements;
    const dstEnd = dstOffset + elements;
    if (srcOffset < 0 || dstOffset < 0 || srcEnd > numel(src.shape) || dstEnd > numel(dst.shape)) {
      throw new StepwiseError(
        'internal',
        `copy: [${srcOffset}, ${srcEnd}) of ${src.label} into [${dstOffset}, ${dstEnd}) of ${dst.label} is out of bounds`,
      );
    }
    if (elements === 0) return;
    this.encode().copyBufferToBuffer(src.buffer, srcOffset * 4, dst.buffer, dstOffset * 4, elements * 4);
  }

  // ---- dispatch -----------------------------------------------------------------------------

  /** Records one kernel dispatch. Nothing runs until `flush()` or a readback. */
  run(d: Dispatch): void {
    if (this.deviceError) throw this.deviceError;
    const pipeline = this.pipelines.get(d);
    const entries: GPUBindGroupEntry[] = [];
    if (d.params) {
      const fields = this.paramFields(d.code);
      const data = packParams(fields, d.params, d.label);
      const ubuf = this.pool.acquire(data.byteLength, Usage.UNIFORM | Usage.COPY_DST, `${d.label}.params`);
      this.device.queue.writeBuffer(ubuf, 0, data);
      this.uniformsInFlight.push(ubuf);
      entries.push({ binding: 0, resource: { buffer: ubuf } });
    }
    d.bindings.forEach((b, i) => {
      const buffer = 'buffer' in b ? b.buffer : b;
      entries.push({ binding: i + 1, resource: { buffer } });
    });
    const bindGroup = this.device.createBindGroup({ label: d.label, layout: pipeline.getBindGroupLayout(0), entries });
    if (this.profiler.full) this.flush();
    const pass = this.encode().beginComputePass({ label: d.label, timestampWrites: this.profiler.passWrites(d.label) });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1] ?? 1, d.workgroups[2] ?? 1);
    pass.end();
    if (this.profiler.enabled && this.profiler.source === 'wall') {
      this.flush();
      this.profiler.afterWallSubmit(d.label);
    }
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    const encoder = this.encoder;
    this.encoder = null;
    const afterSubmit = this.profiler.beforeSubmit(encoder);
    this.device.queue.submit([encoder.finish()]);
    afterSubmit?.();
    // Queue writes issued after this submit run after it, so the uniform buffers can be reused now.
    for (const b of this.uniformsInFlight) this.pool.release(b);
    this.uniformsInFlight = [];
  }

  /** Submits and waits for the queue to drain; throws the first device error seen, if any. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.check();
  }

  /** Per-kernel timings since the last call (profiling must be enabled). */
  async takeTimings(): Promise<KernelTiming[]> {
    this.flush();
    return this.profiler.take();
  }

  /** Throws a typed error if the device reported one (allocation, compilation, validation, OOM, loss). */
  async check(): Promise<void> {
    await this.checkAllocations();
    const compileErrors = await this.pipelines.takeErrors();
    if (compileErrors.length > 0) {
      // Errors from using the invalid pipeline are consequences of this one; report the cause.
      if (this.deviceError?.code === 'gpu') this.deviceError = null;
      throw new StepwiseError('gpu', `shader compilation failed: ${compileErrors[0].message}`);
    }
    if (this.deviceError) {
      const e = this.deviceError;
      if (e.code !== 'device-lost') this.deviceError = null;
      throw e;
    }
  }

  memory(): {
    liveBytes: number;
    pooledBytes: number;
    liveTensors: number;
    weightBytes: number;
    weightBuffers: number;
  } {
    return {
      ...this.pool.stats(),
      liveTensors: this.tensorCount,
      weightBytes: this.weightBytes,
      weightBuffers: this.weightBuffers,
    };
  }

  destroy(): void {
    this.destroyed = true;
    this.pool.trim();
    this.device.destroy();
  }

  private encode(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: 'stepwise.encoder' });
    return this.encoder;
  }

  private paramFields(code: string): ParamField[] {
    let fields = this.paramLayouts.get(code);
    if (!fields) {
      fields = reflectParams(code);
      this.paramLayouts.set(code, fields);
    }
    return fields;
  }
}

const MiB = 1024 * 1024;

function allocationError(label: string, size: number, e: GPUError): StepwiseError {
  const oom = e.constructor.name === 'GPUOutOfMemoryError';
  return new StepwiseError(
    'gpu',
    `the GPU ${oom ? 'ran out of memory' : 'refused'} allocating ${label} (${size >= MiB ? `${(size / MiB).toFixed(1)} MiB` : `${(size / 1024).toFixed(1)} KiB`}): ${e.message}`,
    oom ? 'try a smaller model, or close other GPU-heavy tabs and applications' : undefined,
  );
}

/** Opens a device on the given WebGPU entry point (navigator.gpu in a browser, dawn.node in Node). */
export async function openGpu(api: GPU | undefined, options: OpenGpuOptions = {}): Promise<Gpu> {
  if (!api) {
    throw new StepwiseError(
      'no-webgpu',
      'WebGPU is not available here',
      'use a recent Chrome or Edge (or Chromium with --enable-unsafe-webgpu) on a secure origin (https or localhost)',
    );
  }
  const adapter = await api.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new StepwiseError(
      'no-webgpu',
      'no WebGPU adapter was found',
      'enable hardware acceleration, update the GPU driver, or install a software Vulkan driver (Debian: chromium ships SwiftShader)',
    );
  }
  const wanted: GPUFeatureName[] = [];
  if ((options.timestamps ?? true) && adapter.features.has('timestamp-query')) wanted.push('timestamp-query');
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    label: 'stepwise.device',
    requiredFeatures: wanted,
    requiredLimits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    },
  });
  return new Gpu(device, adapter);
}
