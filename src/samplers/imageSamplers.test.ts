// Invariants of the image-token samplers, checked from their step traces on the tiny golden models:
// a fixed token never changes; every token is fixed at the end; MaskGIT fixes exactly the cosine
// schedule's count per step and never a finer depth while a coarser one at its position is masked;
// AR fixes one grid position (all its depths, in order) per step; seeds reproduce; bad settings fail.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ArImageConfig, MaskgitConfig } from '../formats/config.ts';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import { ArImage } from '../models/arImage.ts';
import { Maskgit } from '../models/maskgit.ts';
import { ArImageSampler } from './arImage.ts';
import type { ImageTokenStep, TokenGrid } from './imageTokens.ts';
import { fixSchedule, maskSchedule, MaskgitSampler, type MaskgitSettings } from './maskgit.ts';

const fixture = (name: string) => new URL(`../models/fixtures/${name}`, import.meta.url).pathname;
const GRID: TokenGrid = { height: 4, width: 4, depths: 2, codebookSize: 16 };
const MASK = 16;
const L = 32;
let gpu: Gpu;
let maskgit: Maskgit;
let ar: ArImage;

beforeAll(async () => {
  gpu = await testGpu();
  const m = await loadModelFolder(nodeFolder(fixture('tiny-maskgit')), { requireTokenizer: false });
  maskgit = await Maskgit.load(gpu, m.config as MaskgitConfig, m.checkpoint);
  const a = await loadModelFolder(nodeFolder(fixture('tiny-image-ar')), { requireTokenizer: false });
  ar = await ArImage.load(gpu, a.config as ArImageConfig, a.checkpoint);
});

async function trace(sampler: { step(): Promise<ImageTokenStep | null> }): Promise<ImageTokenStep[]> {
  const steps: ImageTokenStep[] = [];
  for (let s = await sampler.step(); s; s = await sampler.step()) steps.push(s);
  return steps;
}

/** Invariants both samplers keep. */
function checkTrace(steps: ImageTokenStep[]): void {
  let prev: Int32Array = new Int32Array(L).fill(MASK);
  for (const s of steps) {
    for (let i = 0; i < L; i++) {
      if (prev[i] !== MASK) expect(s.tokens[i]).toBe(prev[i]); // a fixed token never changes
      const nowFixed = prev[i] === MASK && s.tokens[i] !== MASK;
      expect(s.unmasked.includes(i)).toBe(nowFixed); // `unmasked` lists exactly the newly fixed tokens
      if (nowFixed) {
        expect(s.tokens[i]).toBeLessThan(GRID.codebookSize);
        expect(s.confidence[i]).toBeGreaterThan(0);
      } else expect(s.confidence[i]).toBeNaN();
    }
    // Coarse before fine: at every step a position's fixed depths are 0 … k.
    for (let p = 0; p < L / GRID.depths; p++) {
      for (let d = 1; d < GRID.depths; d++) {
        if (s.tokens[p * GRID.depths + d] !== MASK) expect(s.tokens[p * GRID.depths + d - 1]).not.toBe(MASK);
      }
    }
    prev = s.tokens;
  }
  expect(prev.includes(MASK)).toBe(false); // every token fixed at the end
  expect(steps.at(-1)!.done).toBe(true);
}

const base: MaskgitSettings = { classId: 1, guidance: 2, temperature: 1, seed: 5, steps: 6, choiceTemperature: 4.5 };

describe('MaskGIT schedule', () => {
  it('follows ⌊L·cos(π/2·t/S)⌋, fixes at least one token per step and all by the last', () => {
    expect(maskSchedule(256, 12)[0]).toBe(Math.floor(256 * Math.cos(Math.PI / 24)));
    for (const [total, steps] of [
      [256, 12],
      [256, 1],
      [256, 256],
      [32, 31],
      [7, 3],
    ]) {
      const fix = fixSchedule(total, steps);
      expect(fix.length).toBe(steps);
      expect(fix.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.min(...fix)).toBeGreaterThanOrEqual(1);
    }
    // Cosine: few tokens first, many last.
    const f = fixSchedule(256, 12);
    expect(f[0]).toBeLessThan(f[11]);
  });
});

describe('MaskGIT sampler', () => {
  for (const steps of [1, 4, 6, 32]) {
    it(`keeps the invariants and fixes the schedule's count at each of ${steps} steps`, async () => {
      const sampler = new MaskgitSampler(gpu, maskgit, GRID, { ...base, steps }, 3);
      const t = await trace(sampler);
      expect(t.length).toBe(steps);
      checkTrace(t);
      expect(t.map((s) => s.unmasked.length)).toEqual(fixSchedule(L, steps));
      expect(t[0].forwards).toBe(2); // conditional + unconditional
    });
  }

  it('is reproducible with a seed and differs with another; no guidance = one forward per step', async () => {
    const run = async (seed: number, guidance = 2) =>
      (await trace(new MaskgitSampler(gpu, maskgit, GRID, { ...base, seed, guidance }, 3))).at(-1)!;
    expect(Array.from((await run(5)).tokens)).toEqual(Array.from((await run(5)).tokens));
    expect(Array.from((await run(5)).tokens)).not.toEqual(Array.from((await run(6)).tokens));
    expect((await run(5, 0)).forwards).toBe(1);
  });

  it('rejects steps < 1 or > tokens, guidance < 0, temperature ≤ 0, unknown classes', () => {
    const make = (s: Partial<MaskgitSettings>) => () => new MaskgitSampler(gpu, maskgit, GRID, { ...base, ...s }, 3);
    expect(make({ steps: 0 })).toThrow(/steps must be/);
    expect(make({ steps: 33 })).toThrow(/steps must be/);
    expect(make({ guidance: -1 })).toThrow(/guidance must be/);
    expect(make({ temperature: 0 })).toThrow(/temperature must be/);
    expect(make({ classId: 3 })).toThrow(/class id 3/);
  });
});

describe('AR image sampler', () => {
  const classes = 3;
  it('fixes one position (its depths in order) per step, keeps the invariants, reproduces with a seed', async () => {
    const settings = { classId: 2, guidance: 1.5, temperature: 1, seed: 3, topK: 16 };
    const sampler = new ArImageSampler(gpu, ar, GRID, settings, classes);
    const t = await trace(sampler);
    sampler.release();
    expect(t.length).toBe(16);
    checkTrace(t);
    t.forEach((s, k) => expect(s.unmasked).toEqual([2 * k, 2 * k + 1]));
    const again = new ArImageSampler(gpu, ar, GRID, settings, classes);
    expect(Array.from((await trace(again)).at(-1)!.tokens)).toEqual(Array.from(t.at(-1)!.tokens));
    again.release();
  });

  it('top-k 1 at any temperature is greedy on the guided logits', async () => {
    const run = async (temperature: number) => {
      const s = new ArImageSampler(gpu, ar, GRID, { classId: 0, guidance: 0, temperature, seed: 1, topK: 1 }, classes);
      const out = (await trace(s)).at(-1)!.tokens;
      s.release();
      return Array.from(out);
    };
    expect(await run(1)).toEqual(await run(0.3));
  });

  it('rejects top-k < 1 and a class outside the list', () => {
    const s = { classId: 0, guidance: 0, temperature: 1, seed: 1, topK: 0 };
    expect(() => new ArImageSampler(gpu, ar, GRID, s, classes)).toThrow(/top-k/);
    expect(() => new ArImageSampler(gpu, ar, GRID, { ...s, topK: 4, classId: 3 }, classes)).toThrow(/class id 3/);
  });
});
