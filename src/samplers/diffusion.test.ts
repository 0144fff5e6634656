// Invariants of the masked-diffusion samplers, checked from their step traces on the tiny golden
// MDLM: committed tokens never change, every position ends unmasked, LLaDA keeps to its blocks and
// its schedule, the threshold sampler commits at least one token per step, seeds reproduce.
import { beforeAll, describe, expect, it } from 'vitest';
import type { MdlmConfig } from '../formats/config.ts';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import { Mdlm } from '../models/mdlm.ts';
import type { DiffusionStep } from './diffusion.ts';
import { LladaSampler, transferSchedule } from './llada.ts';
import { MdlmSampler } from './mdlm.ts';
import { ThresholdSampler } from './threshold.ts';

const DIR = new URL('../models/fixtures/tiny-mdlm', import.meta.url).pathname;
let gpu: Gpu;
let model: Mdlm;
const MASK = 96;

beforeAll(async () => {
  gpu = await testGpu();
  const loaded = await loadModelFolder(nodeFolder(DIR), { requireTokenizer: false });
  model = await Mdlm.load(gpu, loaded.config as MdlmConfig, loaded.checkpoint);
});

async function trace(sampler: { step(): Promise<DiffusionStep | null> }): Promise<DiffusionStep[]> {
  const steps: DiffusionStep[] = [];
  for (let s = await sampler.step(); s; s = await sampler.step()) steps.push(s);
  return steps;
}

/** Invariants every sampler keeps; returns the final tokens. */
function checkTrace(prompt: number[], steps: DiffusionStep[]): Int32Array {
  let prev: Int32Array = Int32Array.from([...prompt, ...new Array(steps[0].tokens.length - prompt.length).fill(MASK)]);
  for (const s of steps) {
    for (let j = 0; j < prev.length; j++) {
      if (prev[j] !== MASK) expect(s.tokens[j]).toBe(prev[j]); // a committed token never changes
      const nowFixed = prev[j] === MASK && s.tokens[j] !== MASK;
      expect(s.unmasked.includes(j)).toBe(nowFixed); // `unmasked` lists exactly the newly fixed positions
    }
    expect(s.topIds.length).toBe(s.tokens.length * 5);
    prev = s.tokens;
  }
  expect(prev.includes(MASK)).toBe(false); // all positions unmasked at the end
  expect(steps.at(-1)!.done).toBe(true);
  return prev;
}

const prompt = [5, 17, 42, 8];

describe('MDLM ancestral sampler', () => {
  it('keeps committed tokens, ends fully unmasked in the given steps, and reproduces with a seed', async () => {
    const run = async (seed: number) => trace(new MdlmSampler(gpu, model, prompt, { steps: 8, length: 20, seed }));
    const a = await run(1);
    expect(a).toHaveLength(8);
    const final = checkTrace(prompt, a);
    expect([...final.slice(0, 4)]).toEqual(prompt);
    expect([...(await run(1)).at(-1)!.tokens]).toEqual([...final]);
  });

  it('infills masks inside the prompt', async () => {
    const steps = await trace(new MdlmSampler(gpu, model, [5, MASK, MASK, 8], { steps: 2, length: 0, seed: 3 }));
    const final = checkTrace([5, MASK, MASK, 8], steps);
    expect(final[0]).toBe(5);
    expect(final[3]).toBe(8);
  });

  it('rejects steps < 1 and more steps than masked tokens', () => {
    expect(() => new MdlmSampler(gpu, model, prompt, { steps: 0, length: 4, seed: 1 })).toThrow(/steps must be/);
    expect(() => new MdlmSampler(gpu, model, prompt, { steps: 5, length: 4, seed: 1 })).toThrow(
      /5 steps for 4 masked tokens/,
    );
    expect(() => new MdlmSampler(gpu, model, prompt, { steps: 1, length: 60, seed: 1 })).toThrow(
      /more than the model's context of 48/,
    );
  });
});

describe('LLaDA sampler', () => {
  it('splits a block over its steps as LLaDA does', () => {
    expect(transferSchedule(10, 4)).toEqual([3, 3, 2, 2]);
    expect(transferSchedule(8, 8)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  for (const remasking of ['low_confidence', 'random'] as const) {
    it(`(${remasking}) unmasks only inside the current block, following the schedule`, async () => {
      const sampler = new LladaSampler(gpu, model, prompt, {
        steps: 12,
        length: 24,
        blockLength: 8,
        remasking,
        temperature: 0,
        seed: 2,
      });
      const steps = await trace(sampler);
      expect(steps).toHaveLength(12);
      checkTrace(prompt, steps);
      steps.forEach((s, i) => {
        const block = Math.floor(i / 4); // 12 steps over 3 blocks
        const [a, b] = [4 + 8 * block, 4 + 8 * (block + 1)];
        for (const j of s.unmasked) expect(j >= a && j < b).toBe(true);
        expect(s.unmasked.length).toBe(transferSchedule(8, 4)[i % 4]);
      });
    });
  }

  it('rejects a block length that does not divide the generation, and steps not splitting over blocks', () => {
    expect(
      () =>
        new LladaSampler(gpu, model, prompt, {
          steps: 4,
          length: 20,
          blockLength: 8,
          remasking: 'low_confidence',
          temperature: 0,
          seed: 1,
        }),
    ).toThrow(/block length 8 does not divide the generation length 20/);
    expect(
      () =>
        new LladaSampler(gpu, model, prompt, {
          steps: 5,
          length: 24,
          blockLength: 8,
          remasking: 'low_confidence',
          temperature: 0,
          seed: 1,
        }),
    ).toThrow(/do not split evenly over 3 blocks/);
  });
});

describe('threshold sampler', () => {
  it('commits at least one token per step, stays in its block and ends unmasked', async () => {
    const steps = await trace(
      new ThresholdSampler(gpu, model, prompt, {
        threshold: 0.05,
        length: 16,
        blockLength: 8,
        temperature: 0,
        seed: 4,
      }),
    );
    checkTrace(prompt, steps);
    let block = 0;
    for (const s of steps) {
      expect(s.unmasked.length).toBeGreaterThanOrEqual(1);
      const blocks = new Set(s.unmasked.map((j) => Math.floor((j - 4) / 8)));
      expect(blocks.size).toBe(1);
      const b = [...blocks][0];
      expect(b).toBeGreaterThanOrEqual(block); // never goes back to an earlier block
      block = b;
    }
  });

  it('a threshold of 1 commits exactly one token per step', async () => {
    const steps = await trace(
      new ThresholdSampler(gpu, model, prompt, { threshold: 1, length: 6, temperature: 0, seed: 4 }),
    );
    expect(steps).toHaveLength(6);
    for (const s of steps) expect(s.unmasked).toHaveLength(1);
  });

  it('rejects a threshold outside (0, 1]', () => {
    expect(
      () => new ThresholdSampler(gpu, model, prompt, { threshold: 0, length: 6, temperature: 0, seed: 1 }),
    ).toThrow(/threshold must be in \(0, 1\]/);
    expect(
      () => new ThresholdSampler(gpu, model, prompt, { threshold: 1.5, length: 6, temperature: 0, seed: 1 }),
    ).toThrow(/threshold/);
  });
});

describe('caching across steps', () => {
  const base = { steps: 12, length: 24, blockLength: 8, remasking: 'low_confidence' as const, temperature: 0, seed: 2 };

  it('prefix and dual recompute only the block (and, for prefix, what follows), refreshing at each block', async () => {
    for (const cache of ['prefix', 'dual'] as const) {
      const sampler = new LladaSampler(gpu, model, prompt, { ...base, cache });
      const steps = await trace(sampler);
      sampler.release();
      checkTrace(prompt, steps);
      steps.forEach((s, i) => {
        const block = Math.floor(i / 4);
        const first = i % 4 === 0;
        const T = 28;
        const want = first ? T : cache === 'dual' ? 8 : T - (4 + 8 * block);
        expect(s.rows).toBe(want);
      });
    }
  });

  it('dkv recomputes the masked and just-decoded positions, with a full refresh every 4 steps', async () => {
    const sampler = new LladaSampler(gpu, model, prompt, { ...base, cache: 'dkv' });
    const steps = await trace(sampler);
    sampler.release();
    checkTrace(prompt, steps);
    steps.forEach((s, i) => {
      if (i % 4 === 0) expect(s.rows).toBe(28);
      else {
        const masked = [...steps[i - 1].tokens].filter((t) => t === MASK).length;
        expect(s.rows).toBe(masked + steps[i - 1].unmasked.length);
      }
    });
    const mdlm = new MdlmSampler(gpu, model, prompt, { steps: 8, length: 20, seed: 1, cache: 'dkv' });
    checkTrace(prompt, await trace(mdlm));
    mdlm.release();
  });

  it('the first step of a cached run equals the uncached run; prefix caches need blocks', async () => {
    const plain = await new LladaSampler(gpu, model, prompt, base).step();
    const cached = new LladaSampler(gpu, model, prompt, { ...base, cache: 'dual' });
    expect([...(await cached.step())!.tokens]).toEqual([...plain!.tokens]);
    cached.release();
    expect(() => new MdlmSampler(gpu, model, prompt, { steps: 4, length: 8, seed: 1, cache: 'prefix' })).toThrow(
      /needs semi-autoregressive blocks/,
    );
  });
});
