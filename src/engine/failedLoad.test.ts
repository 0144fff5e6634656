// A failed load leaves nothing behind: whatever stops it (a config that promises more layers than the
// checkpoint holds, the GPU running out of memory halfway, weights that cannot fit the device), every
// buffer it created is destroyed, memory() is back at its baseline, and the next load works.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestModelFiles, type ModelFiles } from '../../scripts/make-test-model.ts';
import { memoryFolder } from '../formats/modelFolder.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { openNodeGpu } from '../gpu/node.ts';
import { injectOutOfMemory, watchBuffers } from '../gpu/testing.ts';
import { StepwiseError } from '../shared/errors.ts';
import { LocalEngine } from './engine.ts';
import type { ModelSources } from './sources.ts';

const valid = makeTestModelFiles({ seed: 5 });

function withConfig(edit: Record<string, unknown>): ModelFiles {
  const config = JSON.parse(new TextDecoder().decode(valid['config.json'])) as Record<string, unknown>;
  return { ...valid, 'config.json': new TextEncoder().encode(JSON.stringify({ ...config, ...edit })) };
}

const folders: Record<string, ModelFiles> = {
  valid,
  'billion-layers': withConfig({ n_layer: 1e9 }),
};

const sources: ModelSources = {
  resolve: async (source) => {
    const name = typeof source === 'string' ? source : source.name;
    return { folder: memoryFolder(name, folders[name]) };
  },
};

let gpu: Gpu;
let buffers: { alive(): number };
let engine: LocalEngine;

beforeAll(async () => {
  gpu = await openNodeGpu();
  buffers = watchBuffers(gpu.device);
  engine = new LocalEngine(() => Promise.resolve(gpu), sources);
  await engine.info(); // opens the device once, so the baseline below is the idle engine's
});

afterAll(async () => {
  await engine.dispose();
});

async function failedLoad(source: string): Promise<StepwiseError> {
  const before = { alive: buffers.alive(), memory: await engine.memory() };
  const error = await engine.loadModel(source).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StepwiseError);
  expect(buffers.alive()).toBe(before.alive);
  expect(await engine.memory()).toEqual(before.memory);
  return error as StepwiseError;
}

describe('failed loads release everything', () => {
  it('a config with n_layer 1e9: a bad-file error naming the first missing tensor, no buffer left', async () => {
    const e = await failedLoad('billion-layers');
    expect(e.code).toBe('bad-file');
    expect(e.message).toMatch(/no tensor "h\.2\.[a-z_.]+", which the gpt2 config \(.*n_layer=1000000000/);
  });

  it('the GPU running out of memory at the 5th weight: one typed error, no buffer left', async () => {
    injectOutOfMemory(gpu.device, 5);
    const e = await failedLoad('valid');
    expect(e.code).toBe('gpu');
    expect(e.message).toMatch(/ran out of memory allocating h\.0\.attn\.q\.weight/);
    expect(e.hint).toMatch(/smaller model/);
  });

  it('weights larger than the device memory: refused before any upload, naming both sizes', async () => {
    gpu.memoryBudget = 64 * 1024;
    try {
      const e = await failedLoad('valid');
      expect(e.code).toBe('bad-input');
      expect(e.message).toMatch(/valid: the weights need \d+ MiB as f32, more than this device can hold \(0 MiB\)/);
    } finally {
      gpu.memoryBudget = null;
    }
  });

  it('afterwards the same model loads, memory() counts its weight buffers, and unloading frees them', async () => {
    const idle = await engine.memory();
    expect(idle).toMatchObject({ weightBytes: 0, weightBuffers: 0 });
    const model = await engine.loadModel('valid');
    const loaded = await engine.memory();
    expect(loaded.weightBuffers).toBeGreaterThan(20);
    expect(loaded.weightBytes).toBeGreaterThanOrEqual(model.gpuBytes);
    await engine.unloadModel(model.handle);
    expect(await engine.memory()).toMatchObject({ weightBytes: 0, weightBuffers: 0 });
  });
});
