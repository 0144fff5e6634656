import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../shared/rng.ts';
import { allowedSet, entropy, penalize, sampleToken, softmax, topIndices, validateSampling } from './logits.ts';

const logitsArb = fc.array(fc.float({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 60 });

describe('sampling rules', () => {
  it('softmax sums to one and entropy is ln V for uniform logits', () => {
    const p = softmax([1, 1, 1, 1]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(entropy(p)).toBeCloseTo(Math.log(4), 12);
  });

  it('greedy picks the argmax, ties to the lower id', () => {
    expect(sampleToken([0, 3, 3, 1], { temperature: 0, topK: 1, topP: 1, repetitionPenalty: 1 }, new Rng(1))).toBe(1);
  });

  it('repetition penalty lowers seen tokens whatever their sign', () => {
    expect([...penalize([2, -2, 2], [0, 1], 2)]).toEqual([1, -4, 2]);
  });

  it('top-p keeps the smallest prefix reaching p', () => {
    expect(allowedSet([0.5, 0.3, 0.15, 0.05], 4, 0.8).ids).toEqual([0, 1]);
    expect(allowedSet([0.5, 0.3, 0.15, 0.05], 4, 0.81).ids).toEqual([0, 1, 2]);
    expect(allowedSet([0.5, 0.3, 0.15, 0.05], 1, 1).ids).toEqual([0]);
  });

  it('rejects out-of-range settings with a clear message', () => {
    const ok = { temperature: 1, topK: 100, topP: 1, repetitionPenalty: 1 };
    expect(() => validateSampling({ ...ok, temperature: -0.1 })).toThrow(/temperature must be ≥ 0/);
    expect(() => validateSampling({ ...ok, topP: 1.5 })).toThrow(/top-p must be in \(0, 1\]/);
    expect(() => validateSampling({ ...ok, topK: 1.5 })).toThrow(/top-k/);
    expect(() => validateSampling({ ...ok, topK: 0 })).toThrow(/top-k must be a whole number ≥ 1/);
    expect(() => validateSampling({ ...ok, repetitionPenalty: 0 })).toThrow(/repetition penalty/);
  });

  it('property: the sampled token is always inside the top-k and top-p set', () => {
    fc.assert(
      fc.property(
        logitsArb,
        fc.integer({ min: 1, max: 70 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.double({ min: 0.05, max: 5, noNaN: true }),
        fc.integer(),
        (logits, topK, topP, temperature, seed) => {
          const s = { temperature, topK, topP, repetitionPenalty: 1 };
          const id = sampleToken(logits, s, new Rng(seed));
          const p = softmax(logits, temperature);
          const allowed = allowedSet(p, topK, topP).ids;
          expect(allowed).toContain(id);
          expect(topIndices(p, Math.min(topK, p.length))).toContain(id);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: the same seed gives the same token', () => {
    fc.assert(
      fc.property(logitsArb, fc.integer(), (logits, seed) => {
        const s = { temperature: 1, topK: 100, topP: 1, repetitionPenalty: 1 };
        expect(sampleToken(logits, s, new Rng(seed))).toBe(sampleToken(logits, s, new Rng(seed)));
      }),
      { numRuns: 500 },
    );
  });
});
