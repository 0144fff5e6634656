// The AR sampler on the tiny golden Llama: greedy equals PyTorch's greedy continuation, the same seed
// gives the same tokens, and a branch keeps everything before its step.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import type { CausalLm } from '../models/causalLm.ts';
import { readGolden, type Golden } from '../models/golden.ts';
import { loadCausalLm } from '../models/registry.ts';
import { ArSampler, type ArSettings } from './ar.ts';

const DIR = new URL('../models/fixtures/tiny-llama', import.meta.url).pathname;
let gpu: Gpu;
let model: CausalLm;
let golden: Golden;

beforeAll(async () => {
  gpu = await testGpu();
  model = await loadCausalLm(gpu, await loadModelFolder(nodeFolder(DIR), { requireTokenizer: false }));
  golden = await readGolden(DIR);
});

async function run(prompt: number[], s: ArSettings): Promise<number[]> {
  const sampler = ArSampler.start(gpu, model, prompt, s);
  while (await sampler.step());
  sampler.release();
  return sampler.tokens.slice(prompt.length);
}

const sampled: ArSettings = { temperature: 1, topK: 20, topP: 0.9, repetitionPenalty: 1.1, maxTokens: 10, seed: 5 };

describe('ArSampler', () => {
  it('greedy decoding reproduces the PyTorch continuation', async () => {
    const prompt = [...golden.tokens[0]];
    const greedy = {
      temperature: 0,
      topK: 1,
      topP: 1,
      repetitionPenalty: 1,
      maxTokens: golden.greedy[0].length,
      seed: 1,
    };
    expect(await run(prompt, greedy)).toEqual([...golden.greedy[0]]);
  });

  it('the same seed gives the same tokens; another seed usually does not', async () => {
    const prompt = [...golden.tokens[1]];
    const a = await run(prompt, sampled);
    expect(await run(prompt, sampled)).toEqual(a);
    expect(await run(prompt, { ...sampled, seed: 6 })).not.toEqual(a);
  });

  it('reports the chosen token with its probability and the top-10 candidates, and stops at the limit', async () => {
    const sampler = ArSampler.start(gpu, model, [...golden.tokens[0]], { ...sampled, maxTokens: 3 });
    const steps = [];
    for (let s = await sampler.step(); s; s = await sampler.step()) steps.push(s);
    sampler.release();
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(steps[2].stop).toBe('limit');
    for (const s of steps) {
      expect(s.top).toHaveLength(10);
      expect(s.top[0].p).toBeGreaterThanOrEqual(s.top[9].p);
      expect(s.p).toBeGreaterThan(0);
      expect(s.entropy).toBeGreaterThan(0);
    }
  });

  it('a branch keeps the tokens before its step and regenerates after them', async () => {
    const prompt = [...golden.tokens[1]];
    const original = ArSampler.start(gpu, model, prompt, sampled);
    while (await original.step());
    const branch = original.branch(2, { ...sampled, seed: 99 });
    while (await branch.step());
    const a = original.tokens.slice(prompt.length);
    const b = branch.tokens.slice(prompt.length);
    expect(b.slice(0, 2)).toEqual(a.slice(0, 2));
    expect(b).toHaveLength(sampled.maxTokens);
    // The branch's cache re-used the prefix: its continuation equals a fresh run from the same tokens.
    const fresh = ArSampler.start(gpu, model, [...prompt, ...a.slice(0, 2)], { ...sampled, seed: 99, maxTokens: 8 });
    while (await fresh.step());
    expect(fresh.tokens.slice(prompt.length + 2)).toEqual(b.slice(2));
    for (const s of [original, branch, fresh]) s.release();
  });
});
