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
