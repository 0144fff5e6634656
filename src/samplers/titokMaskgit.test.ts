// TiTok's MaskGIT sampler against the reference's generate(): its schedules (values from PyTorch /
// numpy), and whole noiseless runs of the tiny generator step by step (train/titok_golden.py).
import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { testGpu } from '../gpu/testing.ts';
import { readTitokGeneratorGolden } from '../models/golden.ts';
import { ImageBert } from '../models/imageBert.ts';
import {
  TitokMaskgitSampler,
  titokGuidanceScale,
  titokMaskLength,
  type TitokSamplingSettings,
  type TitokStep,
} from './titokMaskgit.ts';

const DIR = new URL('../models/fixtures/tiny-titok-generator/', import.meta.url).pathname;

async function generator(): Promise<ImageBert> {
  return ImageBert.load(await testGpu(), await loadModelFolder(nodeFolder(DIR), { requireTokenizer: false }));
}

const BASE: TitokSamplingSettings = {
  classId: 2,
  steps: 8,
  guidanceScale: 4.5,
  guidanceDecay: 'linear',
  guidanceScalePow: 3,
  randomizeTemperature: 9.5,
  softmaxTemperatureAnnealing: true,
  seed: 1,
};

async function run(model: ImageBert, settings: TitokSamplingSettings): Promise<TitokStep[]> {
  const sampler = new TitokMaskgitSampler(await testGpu(), model, settings);
  const out: TitokStep[] = [];
  for (let s = await sampler.step(); s; s = await sampler.step()) out.push(s);
  return out;
}

describe('TiTok sampler schedules', () => {
  it("keeps ⌊L · arccos((t+1)/N) / (π/2)⌋ tokens masked, at least 1 and fewer than before (numpy's values)", () => {
    const cases: Array<[number, number, number[]]> = [
      [8, 32, [29, 26, 24, 21, 18, 14, 10, 0]],
      [6, 32, [28, 25, 21, 17, 11, 0]],
      [12, 32, [30, 28, 26, 25, 23, 21, 19, 17, 14, 11, 8, 0]],
      [
        64,
        128,
        [
          126, 125, 124, 122, 121, 120, 119, 117, 116, 115, 113, 112, 111, 110, 108, 107, 106, 104, 103, 102, 100, 99,
          98, 96, 95, 93, 92, 91, 89, 88, 86, 85, 83, 82, 80, 79, 77, 76, 74, 72, 71, 69, 67, 66, 64, 62, 60, 58, 56,
          54, 52, 50, 48, 46, 43, 41, 38, 35, 32, 28, 25, 20, 14, 0,
        ],
      ],
    ];
    for (const [N, L, want] of cases) {
      expect(Array.from({ length: N }, (_, t) => titokMaskLength(L, t, N, L + 1))).toEqual(
        want.map((m) => Math.max(1, m)),
      );
    }
    expect(titokMaskLength(32, 0, 8, 5)).toBe(4); // fewer than the 5 masked
    expect(titokMaskLength(32, 3, 8, 1)).toBe(1); // never below 1
  });

  it('scales guidance as the reference: constant, linear from 0, power-cosine (torch values)', () => {
    const steps = Array.from({ length: 8 }, (_, t) => t);
    expect(steps.map((t) => titokGuidanceScale('constant', 4.5, t, 8, 3))).toEqual(Array(8).fill(4.5));
    expect(steps.map((t) => titokGuidanceScale('linear', 4.5, t, 8, 3))).toEqual(steps.map((t) => (t / 8) * 4.5));
    const torch = [
      1.0, 1.000032901763916, 1.0021079778671265, 1.023960828781128, 1.1332108974456787, 1.4899957180023193,
      2.324784755706787, 3.6404526233673096,
    ];
    steps.forEach((t) => expect(titokGuidanceScale('power-cosine', 4.5, t, 8, 3)).toBeCloseTo(torch[t], 6));
  });
});

describe('TiTok sampler vs generate() (tiny generator, no noise)', () => {
  for (const decay of ['constant', 'linear', 'power-cosine'] as const) {
    it(`${decay} guidance: the same tokens after every step`, async () => {
      const model = await generator();
      const g = (await readTitokGeneratorGolden(DIR)).trajectories[decay];
      const steps = await run(model, {
        ...BASE,
        classId: g.classId,
        steps: g.steps,
        guidanceScale: g.guidanceScale,
        guidanceDecay: decay,
        randomizeTemperature: 0,
        softmaxTemperatureAnnealing: g.softmaxTemperatureAnnealing,
      });
      expect(steps).toHaveLength(g.steps);
      steps.forEach((s, i) => expect(Array.from(s.tokens), `after step ${i + 1}`).toEqual(Array.from(g.tokens[i])));
      // linear guidance starts at 0: step 1 is one forward without guidance
      expect(steps[0].forwards).toBe(decay === 'linear' ? 1 : 2);
      model.dispose();
    });
  }
});

describe('TiTok sampler runs', () => {
  it('unmasks everything by the last step, fixing tokens in schedule order, with probabilities for the fixed ones', async () => {
    const model = await generator();
    const steps = await run(model, BASE);
    const K = model.maskTokenId;
    let masked = model.sequenceLength;
    steps.forEach((s, t) => {
      const now = s.tokens.filter((id) => id === K).length;
      expect(s.unmasked).toHaveLength(masked - now);
      if (t < steps.length - 1) expect(now).toBeGreaterThanOrEqual(titokMaskLength(32, t, 8, masked));
      for (const i of s.unmasked) {
        expect(s.tokens[i]).toBe(s.prediction[i]);
        expect(s.confidence[i]).toBeGreaterThan(0);
        expect(s.confidence[i]).toBeLessThanOrEqual(1);
      }
      expect(s.prediction.every((id) => id >= 0 && id < K)).toBe(true);
      expect(s.guidance).toBeCloseTo((t / 8) * 4.5, 12);
      masked = now;
    });
    expect(steps[steps.length - 1].done).toBe(true);
    expect(masked).toBe(0);
    model.dispose();
  });

  it('is reproducible by seed, and another seed gives another image', async () => {
    const model = await generator();
    const a = await run(model, BASE);
    const b = await run(model, BASE);
    const c = await run(model, { ...BASE, seed: 2 });
    const last = (r: TitokStep[]) => Array.from(r[r.length - 1].tokens);
    expect(last(b)).toEqual(last(a));
    expect(last(c)).not.toEqual(last(a));
    model.dispose();
  });

  it('rejects bad settings with bad-input errors', async () => {
    const model = await generator();
    const gpu = await testGpu();
    const bad = (patch: Partial<TitokSamplingSettings>, message: RegExp) =>
      expect(() => new TitokMaskgitSampler(gpu, model, { ...BASE, ...patch })).toThrow(
        expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(message) }),
      );
    bad({ classId: 10 }, /class id 10 is outside 0 … 9/);
    bad({ steps: 0 }, /steps must be a whole number ≥ 1/);
    bad({ guidanceScale: -1 }, /guidance scale must be a number ≥ 0/);
    bad({ guidanceDecay: 'cosine' as never }, /unknown guidance schedule "cosine"/);
    bad({ guidanceScalePow: 0 }, /exponent must be a number > 0/);
    bad({ randomizeTemperature: NaN }, /randomize temperature must be a number ≥ 0/);
    model.dispose();
  });
});
