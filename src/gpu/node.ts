// WebGPU in Node through Dawn (npm `webgpu`). On a machine without a GPU, Dawn's Vulkan backend runs
// on SwiftShader, the CPU Vulkan driver that Debian's chromium package ships; we point the Vulkan
// loader at it unless the caller chose a driver. Import this module from Node code only.

import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import type * as Dawn from 'webgpu';
import { StepwiseError } from '../shared/errors.ts';
import { openGpu, type Gpu, type OpenGpuOptions } from './gpu.ts';

const SWIFTSHADER_ICD = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
];

let api: GPU | null = null;

export async function nodeGpuApi(): Promise<GPU> {
  if (api) return api;
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES) {
    const icd = SWIFTSHADER_ICD.find((p) => existsSync(p));
    if (icd) process.env.VK_ICD_FILENAMES = icd;
  }
  // The Vulkan loader complains on stderr when this is unset; any writable directory will do.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  let mod: typeof Dawn;
  try {
    mod = await import('webgpu');
  } catch (e) {
    throw new StepwiseError(
      'no-webgpu',
      `the Dawn bindings (npm "webgpu") failed to load: ${(e as Error).message}`,
      'run npm ci',
    );
  }
  Object.assign(globalThis, mod.globals);
  api = mod.create([]);
  return api;
}

/** Opens a Dawn device in Node. */
export async function openNodeGpu(options: OpenGpuOptions = {}): Promise<Gpu> {
  const gpu = await openGpu(await nodeGpuApi(), options);
  // A CPU adapter (SwiftShader) keeps its buffers in this machine's memory: a bound known up front.
  if (gpu.adapterClass === 'cpu') gpu.memoryBudget = totalmem();
  return gpu;
}
