// Test helper: one Dawn device per test file (Node only). There is no silent skip: a missing
// adapter fails the suite with the reason, since every kernel test needs a real WebGPU device.

import { afterAll } from 'vitest';
import type { Gpu } from './gpu.ts';
import { openNodeGpu } from './node.ts';

let shared: Promise<Gpu> | null = null;

export function testGpu(): Promise<Gpu> {
  if (!shared) {
    shared = openNodeGpu();
    afterAll(async () => {
      const gpu = await shared;
      shared = null;
      gpu?.destroy();
    });
  }
  return shared;
}

/** Counts the device's buffers that are alive (created and not destroyed), whoever made them. */
export function watchBuffers(device: GPUDevice): { alive(): number } {
  const d = device as GPUDevice & { createBuffer: GPUDevice['createBuffer'] };
  const create = d.createBuffer.bind(d);
  let alive = 0;
  d.createBuffer = (descriptor: GPUBufferDescriptor) => {
    const buffer = create(descriptor);
    const destroy = buffer.destroy.bind(buffer);
    let destroyed = false;
    alive++;
    buffer.destroy = () => {
      if (!destroyed) alive--;
      destroyed = true;
      destroy();
    };
    return buffer;
  };
  return { alive: () => alive };
}

/**
 * Makes the device report the `nth` (1-based) storage-buffer allocation from now on as out of memory,
 * the way WebGPU does: the error goes to the innermost open 'out-of-memory' error scope, or, when
 * none is open, to the device's 'uncapturederror' event. (The buffer itself is still created.)
 */
export function injectOutOfMemory(device: GPUDevice, nth: number): void {
  const d = device as GPUDevice & Pick<GPUDevice, 'createBuffer' | 'pushErrorScope' | 'popErrorScope'>;
  const create = d.createBuffer.bind(d);
  const push = d.pushErrorScope.bind(d);
  const pop = d.popErrorScope.bind(d);
  const scopes: { filter: GPUErrorFilter; error: GPUError | null }[] = [];
  let count = 0;
  d.pushErrorScope = (filter) => {
    scopes.push({ filter, error: null });
    push(filter);
  };
  d.popErrorScope = async () => {
    const scope = scopes.pop();
    const real = await pop();
    return scope?.error ?? real;
  };
  d.createBuffer = (descriptor) => {
    const buffer = create(descriptor);
    if (descriptor.usage & GPUBufferUsage.STORAGE && ++count === nth) {
      const error = new GPUOutOfMemoryError(`injected: out of memory allocating ${descriptor.label ?? 'a buffer'}`);
      const scope = scopes.findLast((s) => s.filter === 'out-of-memory');
      if (scope) scope.error ??= error;
      else device.dispatchEvent(new GPUUncapturedErrorEvent('uncapturederror', { error }));
    }
    return buffer;
  };
}
