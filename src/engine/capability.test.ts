import { describe, expect, it } from 'vitest';
import { makeTestModelFiles } from '../../scripts/make-test-model.ts';
import { loadModelFolder, memoryFolder } from '../formats/modelFolder.ts';
import type { KeyLimits } from '../gpu/adapter.ts';
import { checkFits } from './capability.ts';

const limits = (bytes: number): KeyLimits => ({
  maxBufferSize: bytes,
  maxStorageBufferBindingSize: bytes,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupsPerDimension: 65535,
});

describe('capability check', () => {
  it('accepts a model whose every tensor fits one binding, and names the first that does not', async () => {
    const model = await loadModelFolder(memoryFolder('tiny', makeTestModelFiles({ seed: 1 })));
    const largest = Math.max(...model.checkpoint.names().map((n) => model.checkpoint.info(n).numel * 4));
    expect(() => checkFits(model, limits(largest))).not.toThrow();
    expect(() => checkFits(model, limits(largest - 4))).toThrow(
      /tiny: tensor ".*" needs \d+ MiB as f32, more than this GPU allows in one buffer/,
    );
  });
});
