// The masked-diffusion view's store: form validation per sampler, running to the end with every
// snapshot kept, scrubbing without recomputing, Reset, and the side-by-side autoregressive companion
// — against a fake engine client that unmasks two positions per step from left to right.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  DiffusionSessionInfo,
  DiffusionSettings,
  DiffusionStepView,
  LoadedModelInfo,
  TextSettings,
} from '../engine/api.ts';
import type { EngineClient } from '../worker/client.ts';
import {
  companionPrompt,
  diffusionPause,
  diffusionReset,
  diffusionRun,
  diffusionSelectStep,
  diffusionStep,
  diffusionStepBack,
  setEngineClientFactory,
  setSideBySide,
  tokensAt,
  useStore,
  validateDiffusionForm,
} from './index.ts';
import { diffusionCompareDense, diffusionCompareUncached } from './diffusionActions.ts';
import { compareDense, compareRuns, initialDiffusionForm, type DiffusionForm } from './diffusionSlice.ts';

const MASK = 99;

function fakeDiffusionEngine() {
  const calls: string[] = [];
  let next = 1;
  const sessions = new Map<string, { tokens: Int32Array; step: number; steps: number; per: number }>();
  const ar = new Map<string, { n: number; max: number }>();
  const client: Partial<EngineClient> = {
    startDiffusion: async (_h: string, s: DiffusionSettings): Promise<DiffusionSessionInfo> => {
      calls.push(`startDiffusion ${s.sampler} L=${s.length} steps=${s.steps} block=${s.blockLength}`);
      const id = `d${next++}`;
      const tokens = new Int32Array(2 + s.length).fill(MASK);
      tokens[0] = 1;
      tokens[1] = 2;
      sessions.set(id, { tokens, step: 0, steps: s.steps, per: s.length / s.steps });
      return {
        id,
        model: 'm1',
        settings: s,
        maskTokenId: MASK,
        tokens: [...tokens],
        pieces: [...tokens].map((t) => (t === MASK ? '[MASK]' : `w${t}`)),
        notices: [],
      };
    },
    stepDiffusion: async (id: string): Promise<DiffusionStepView | null> => {
      calls.push(`stepDiffusion ${id}`);
      const s = sessions.get(id)!;
      if (s.step >= s.steps) return null;
      s.step++;
      const unmasked: number[] = [];
      for (let i = 0; i < s.per; i++) {
        const pos = 2 + (s.step - 1) * s.per + i;
        s.tokens[pos] = 10 + pos;
        unmasked.push(pos);
      }
      const T = s.tokens.length;
      const confidence = Float32Array.from(s.tokens, (t) => (t === MASK ? NaN : 0.9));
      return {
        step: s.step,
        tokens: s.tokens.slice(),
        unmasked,
        confidence,
        topIds: new Int32Array(T * 5),
        topProbs: new Float32Array(T * 5),
        topPieces: new Array<string>(T * 5).fill('w'),
        pieces: [...s.tokens].map((t) => (t === MASK ? '[MASK]' : `w${t}`)),
        forwards: 1,
        rows: T,
        done: s.step === s.steps,
        ms: 2,
        timings: [],
      };
    },
    loadModel: async (source) => {
      calls.push(`loadModel ${String(source)}`);
      return { ...MODEL, source: String(source), modelType: 'gpt2', handle: 'g1' };
    },
    startText: async (handle: string, settings: TextSettings) => {
      calls.push(`startText ${handle} "${settings.prompt}" max=${settings.maxTokens}`);
      const id = `t${next++}`;
      ar.set(id, { n: 0, max: settings.maxTokens });
      return {
        id,
        model: handle,
        settings,
        promptTokens: [5],
        promptPieces: [settings.prompt],
        promptText: settings.prompt,
        notices: [],
        stepsBefore: 0,
      };
    },
    stepText: async (id: string) => {
      calls.push(`stepText ${id}`);
      const s = ar.get(id)!;
      if (s.n >= s.max) return null;
      s.n++;
      return {
        step: s.n,
        token: 500 + s.n,
        piece: ` a${s.n}`,
        p: 0.5,
        entropy: 1,
        top: [],
        text: '',
        stop: s.n >= s.max ? 'limit' : null,
        ms: 1,
        timings: [],
      };
    },
    closeSession: async (id: string) => {
      calls.push(`close ${id}`);
    },
    attentionDeviation: async (_h: string, tokens: number[], s) => {
      calls.push(`attentionDeviation ${s.attention?.kind ?? 'dense'} ${s.mergeRatio ?? 0} T=${tokens.length}`);
      // The starting sequence (masks) is attended alike either way; text is not.
      const relL2 = tokens.includes(MASK) ? 0.001 : 0.02;
      return { relL2, maxAbs: 10 * relL2, tokens: tokens.length, paddedTo: 16 };
    },
    terminate: () => {},
  };
  return { client: client as EngineClient, calls };
}

const MODEL: LoadedModelInfo = {
  source: 'brown-mdlm',
  modelType: 'mdlm',
  task: 'text-diffusion',
  config: {},
  parameters: 1,
  fileBytes: 1,
  gpuBytes: 1,
  tensors: [],
  warnings: [],
  handle: 'm1',
};

let fake: ReturnType<typeof fakeDiffusionEngine>;
const d = () => useStore.getState().diffusion;
const form = (patch: Partial<DiffusionForm>): DiffusionForm => ({ ...initialDiffusionForm, ...patch });

beforeEach(() => {
  useStore.setState(useStore.getInitialState(), true);
  vi.stubGlobal('navigator', { gpu: {} });
  fake = fakeDiffusionEngine();
  setEngineClientFactory(() => fake.client);
  useStore.setState({ model: MODEL });
  useStore.getState().diffusionFormChanged({ length: '8', steps: '4', blockLength: '4' });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('validateDiffusionForm', () => {
  it('accepts the defaults: llada, 32 tokens in blocks of 8, 16 steps', () => {
    const { settings, errors } = validateDiffusionForm(initialDiffusionForm);
    expect(errors).toEqual({});
    expect(settings).toEqual({
      sampler: 'llada',
      prompt: '',
      length: 32,
      steps: 16,
      blockLength: 8,
      remasking: 'low_confidence',
      temperature: 0,
      seed: 1,
      cache: 'none',
    });
  });

  it('checks llada’s blocks: the block length divides the length, the steps split over the blocks', () => {
    expect(validateDiffusionForm(form({ blockLength: '5' })).errors.blockLength).toMatch(/divide the length \(32\)/);
    expect(validateDiffusionForm(form({ steps: '6' })).errors.steps).toMatch(/multiple of the number of blocks \(4\)/);
    expect(validateDiffusionForm(form({ blockLength: '' })).settings?.blockLength).toBeUndefined();
  });

  it('allows at most one step per masked token, counting [MASK] in the prompt', () => {
    expect(validateDiffusionForm(form({ steps: '40', blockLength: '' })).errors.steps).toMatch(/32 here/);
    expect(
      validateDiffusionForm(form({ sampler: 'mdlm', length: '0', steps: '2', prompt: 'a [MASK] b [MASK]' })).errors,
    ).toEqual({});
    expect(validateDiffusionForm(form({ length: '0' })).errors.length).toMatch(/unless the prompt has \[MASK\]/);
  });

  it('checks only what the sampler uses', () => {
    const mdlm = validateDiffusionForm(form({ sampler: 'mdlm', threshold: 'x', blockLength: '7', temperature: '-1' }));
    expect(mdlm.errors).toEqual({});
    expect(mdlm.settings).not.toHaveProperty('blockLength');
    expect(mdlm.settings).not.toHaveProperty('threshold');
    const th = validateDiffusionForm(form({ sampler: 'threshold', threshold: '1.5', steps: 'x' }));
    expect(Object.keys(th.errors)).toEqual(['threshold']);
  });

  it('refuses the prefix and dual caches for mdlm, which has no blocks', () => {
    expect(validateDiffusionForm(form({ sampler: 'mdlm', cache: 'dual' })).errors.cache).toMatch(/blocks/);
    expect(validateDiffusionForm(form({ sampler: 'mdlm', cache: 'dkv' })).errors).toEqual({});
    expect(validateDiffusionForm(form({ cache: 'prefix' })).errors).toEqual({});
  });

  it('checks the attention settings and what each kind uses, and leaves dense settings as they were', () => {
    const llsa = validateDiffusionForm(form({ attention: 'llsa', blockSize: '4', topKBlocks: '2', levels: '2' }));
    expect(llsa.errors).toEqual({});
    expect(llsa.settings?.attention).toEqual({ kind: 'llsa', blockSize: 4, topK: 2, levels: 2 });
    expect(llsa.settings).not.toHaveProperty('mergeRatio');
    const bt = validateDiffusionForm(form({ attention: 'block-topk', levels: 'x' }));
    expect(bt.settings?.attention).toEqual({ kind: 'block-topk', blockSize: 16, topK: 8 });
    expect(validateDiffusionForm(form({ mergeRatio: '0.5' })).settings?.mergeRatio).toBe(0.5);
    expect(validateDiffusionForm(form({ blockSize: '12' })).errors).toEqual({}); // dense: not read
    const bad = validateDiffusionForm(form({ attention: 'llsa', blockSize: '12', topKBlocks: '0', levels: '9' }));
    expect(Object.keys(bad.errors).sort()).toEqual(['blockSize', 'levels', 'topKBlocks']);
    expect(validateDiffusionForm(form({ mergeRatio: '0.8' })).errors.mergeRatio).toMatch(/0 \(off\) to 0\.75/);
    expect(validateDiffusionForm(form({ attention: 'llsa', mergeRatio: '0.5' })).errors.mergeRatio).toMatch(
      /dense attention only/,
    );
    expect(validateDiffusionForm(form({ mergeRatio: '0.25', cache: 'dkv' })).errors.cache).toMatch(/dense attention/);
  });

  it('checks the seed and the temperature', () => {
    const { errors } = validateDiffusionForm(form({ seed: '-1', temperature: 'hot' }));
    expect(Object.keys(errors).sort()).toEqual(['seed', 'temperature']);
  });
});

describe('running and scrubbing', () => {
  it('Run keeps every step; the timeline shows each step’s sequence without recomputing', async () => {
    await diffusionRun();
    expect(fake.calls[0]).toBe('startDiffusion llada L=8 steps=4 block=4');
    expect(d().steps.map((s) => s.unmasked)).toEqual([
      [2, 3],
      [4, 5],
      [6, 7],
      [8, 9],
    ]);
    expect(d().done).toBe(true);
    expect(d().selected).toBe(4);
    const calls = fake.calls.length;
    diffusionSelectStep(0);
    expect(Array.from(tokensAt(d(), 0))).toEqual([1, 2, MASK, MASK, MASK, MASK, MASK, MASK, MASK, MASK]);
    diffusionSelectStep(2);
    expect(Array.from(tokensAt(d(), 2))).toEqual([1, 2, 12, 13, 14, 15, MASK, MASK, MASK, MASK]);
    diffusionStepBack();
    expect(d().selected).toBe(1);
    await diffusionStep(); // replays step 2
    expect(d().selected).toBe(2);
    expect(fake.calls.length).toBe(calls);
    expect(d().pieces[12]).toBe('w12');
  });

  it('Step computes one step at a time, and Pause stops a run', async () => {
    await diffusionStep();
    expect(d().steps).toHaveLength(1);
    const step = fake.client.stepDiffusion;
    fake.client.stepDiffusion = async (id: string) => {
      const s = await step(id);
      if (s?.step === 3) diffusionPause();
      return s;
    };
    await diffusionRun();
    expect(d().steps).toHaveLength(3);
    expect(d().running).toBe(false);
  });

  it('shows a validation message instead of starting', async () => {
    useStore.getState().diffusionFormChanged({ steps: '3' });
    await diffusionRun();
    expect(d().info).toBeNull();
    expect(d().error?.message).toMatch(/multiple of the number of blocks/);
    expect(fake.calls).toEqual([]);
  });

  it('Reset closes the session and keeps the form', async () => {
    await diffusionStep();
    await diffusionReset();
    expect(fake.calls).toContain('close d1');
    expect(d().info).toBeNull();
    expect(d().steps).toEqual([]);
    expect(d().form.length).toBe('8');
  });
});

describe('side by side', () => {
  it('loads brown-gpt2 and steps it once per denoising step on the same prompt, then to its end', async () => {
    useStore.getState().diffusionFormChanged({ prompt: 'The jury' });
    await setSideBySide(true);
    expect(fake.calls).toEqual(['loadModel brown-gpt2']);
    expect(d().companion.status).toBe('ready');
    await diffusionStep();
    expect(d().companion.steps).toHaveLength(1);
    expect(fake.calls).toContain('startText g1 "The jury" max=8');
    await diffusionRun();
    expect(d().steps).toHaveLength(4);
    expect(d().companion.steps).toHaveLength(8);
    expect(d().companion.done).toBe(true);
  });

  it('continues the text before the first [MASK]', () => {
    expect(companionPrompt('The [MASK] said')).toBe('The ');
    expect(companionPrompt('no masks')).toBe('no masks');
  });

  it('reports a companion that cannot load without stopping the diffusion run', async () => {
    fake.client.loadModel = () => Promise.reject(new Error('brown-gpt2 is not shipped'));
    await setSideBySide(true);
    expect(d().companion.status).toBe('error');
    await diffusionRun();
    expect(d().done).toBe(true);
    expect(d().error).toBeNull();
  });
});

describe('compare with uncached', () => {
  const step = (tokens: number[], ms: number) => ({ tokens: Int32Array.from(tokens), ms });

  it('computes the speed-up from the summed step times and the identical generated tokens', () => {
    const start = [1, 2, MASK, MASK, MASK, MASK];
    const cached = [step([1, 2, 10, 11, MASK, MASK], 1), step([1, 2, 10, 11, 12, 13], 1.5)];
    const uncached = [step([1, 2, 10, 11, MASK, MASK], 3), step([1, 2, 10, 11, 12, 14], 4.5)];
    expect(compareRuns(start, MASK, cached, uncached)).toEqual({
      cachedMs: 2.5,
      uncachedMs: 7.5,
      speedup: 3,
      identical: 3, // the prompt is not counted
      total: 4,
    });
  });

  it('runs the same settings with cache none in a session of its own, keeping the cached run', async () => {
    useStore.getState().diffusionFormChanged({ cache: 'dual' });
    const start = fake.client.startDiffusion;
    const caches: string[] = [];
    fake.client.startDiffusion = async (h: string, s: DiffusionSettings) => {
      caches.push(s.cache ?? 'none');
      return start(h, s);
    };
    const stepper = fake.client.stepDiffusion;
    fake.client.stepDiffusion = async (id: string) => {
      const s = await stepper(id);
      // The uncached session (d2) takes three times as long per step.
      return s && id === 'd2' ? { ...s, ms: 6 } : s;
    };
    await diffusionRun();
    const kept = d().steps;
    await diffusionCompareUncached();
    expect(caches).toEqual(['dual', 'none']);
    expect(fake.calls).toContain('close d2');
    expect(fake.calls).not.toContain('close d1');
    expect(d().steps).toBe(kept);
    expect(d().busy).toBe(false);
    expect(d().compare).toMatchObject({ status: 'done', step: 4, error: null });
    expect(d().compare.report).toEqual({ cachedMs: 8, uncachedMs: 24, speedup: 3, identical: 8, total: 8 });
  });
});

describe('compare with dense', () => {
  const step = (tokens: number[], ms: number) => ({ tokens: Int32Array.from(tokens), ms });
  const dev = (relL2: number) => ({ relL2, maxAbs: 1, tokens: 6, paddedTo: 8 });

  it('reports the deviations, the differing generated tokens and the median step times', () => {
    const start = [1, 2, MASK, MASK, MASK, MASK];
    const run = [
      step([1, 2, 10, 11, MASK, MASK], 50),
      step([1, 2, 10, 11, 12, 13], 1),
      step([1, 2, 10, 11, 12, 13], 2),
    ];
    const dense = [
      step([1, 2, 10, 11, MASK, MASK], 60),
      step([1, 2, 10, 9, 12, 14], 4),
      step([1, 2, 10, 9, 12, 14], 4),
    ];
    expect(compareDense(start, MASK, run, dense, { start: dev(0.001), text: dev(0.02) })).toEqual({
      relL2: 0.001,
      textRelL2: 0.02,
      paddedTo: 8,
      different: 2, // positions 3 and 5; the prompt is not counted
      total: 4,
      msPerStep: 2, // medians: the first (compiling) step does not count
      denseMsPerStep: 4,
      speedup: 2,
    });
  });

  it('runs the same settings with dense attention in a session of its own, keeping the run', async () => {
    useStore.getState().diffusionFormChanged({ attention: 'block-topk', blockSize: '4', topKBlocks: '1' });
    const start = fake.client.startDiffusion;
    const kinds: string[] = [];
    fake.client.startDiffusion = async (h: string, s: DiffusionSettings) => {
      kinds.push(`${s.attention?.kind ?? 'dense'} ${s.mergeRatio ?? 0}`);
      return start(h, s);
    };
    const stepper = fake.client.stepDiffusion;
    fake.client.stepDiffusion = async (id: string) => {
      const s = await stepper(id);
      // The dense session (d2) takes three times as long per step.
      return s && id === 'd2' ? { ...s, ms: 6 } : s;
    };
    await diffusionRun();
    const kept = d().steps;
    await diffusionCompareDense();
    expect(kinds).toEqual(['block-topk 0', 'dense 0']);
    expect(fake.calls).toContain('close d2');
    expect(fake.calls).not.toContain('close d1');
    // The deviation is measured on the starting sequence and on the dense run's text.
    expect(fake.calls.filter((c) => c.startsWith('attentionDeviation'))).toEqual([
      'attentionDeviation block-topk 0 T=10',
      'attentionDeviation block-topk 0 T=10',
    ]);
    expect(d().steps).toBe(kept);
    expect(d().busy).toBe(false);
    expect(d().denseCompare).toMatchObject({ status: 'done', step: 4, error: null });
    expect(d().denseCompare.report).toEqual({
      relL2: 0.001,
      textRelL2: 0.02,
      paddedTo: 16,
      different: 0,
      total: 8,
      msPerStep: 2,
      denseMsPerStep: 6,
      speedup: 3,
    });
  });

  it('does nothing for a dense run', async () => {
    await diffusionRun();
    await diffusionCompareDense();
    expect(d().denseCompare.status).toBe('idle');
    expect(fake.calls.filter((c) => c.startsWith('startDiffusion'))).toHaveLength(1);
  });
});
