// The Images view's store against a fake engine: the form's validation per generator, loading the
// generators with their class lists, Step / Run / Step back (replay without recomputing) / Reset,
// the side-by-side mode (one step of each generator per Step), decoding with fewer depths (a copy of
// the tokens goes to the engine, cached per step and depth), the animation, and MaskGIT's attention
// settings with "Compare with dense" (a dense session of its own, the deviation on its first step's grid).

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  AttentionDeviation,
  DecodedImage,
  ImageSessionInfo,
  ImageSettings,
  ImageStepView,
  LoadedModelInfo,
} from '../engine/api.ts';
import type { EngineClient } from '../worker/client.ts';
import {
  decodeKey,
  imageEnsureDecoded,
  imagePlay,
  imageReset,
  imageRun,
  imageSetSideBySide,
  imageStep,
  imageStepBack,
  imageTimelineLength,
  imageViewOpened,
  playFrameMs,
  runStepAt,
  setEngineClientFactory,
  useStore,
  validateImageForm,
} from './index.ts';
import { ensureImageModel, imageChooseModel, imageCompareDense } from './imageActions.ts';
import { selectedStepTimings } from '../ui/StepTimings.tsx';
import { compareImageDense, describeImageAttention, initialImageForm, pickClass, type ImageForm } from './image.ts';

const GRID = { height: 2, width: 2, depths: 2, codebookSize: 16 };
const MASK = 16;
const LENGTH = 8; // 2 × 2 positions × 2 depths
const CLASSES = ['animal-mammal', 'face-smiling', 'food-fruit'];

function image(depths: number, fill: number): DecodedImage {
  return { width: 4, height: 4, depths, rgba: new Uint8ClampedArray(64).fill(fill) };
}

function fakeImageEngine(options: { failLoad?: string } = {}) {
  const calls: string[] = [];
  const decodeInputs: Int32Array[] = [];
  const deviationInputs: Int32Array[] = [];
  let next = 1;
  const sessions = new Map<string, { tokens: Int32Array; step: number; total: number; ar: boolean }>();
  const client: Partial<EngineClient> = {
    loadModel: async (source) => {
      const id = String(source);
      calls.push(`loadModel ${id}`);
      if (id === options.failLoad) throw Object.assign(new Error(`no ${id}`), { code: 'network' });
      return { ...MODEL, source: id, handle: `h-${id}`, classes: CLASSES };
    },
    startImage: async (handle: string, settings: ImageSettings): Promise<ImageSessionInfo> => {
      const ar = handle === 'h-emoji-ar';
      const a = settings.attention;
      const attention = a && a.kind !== 'dense' ? ` ${a.kind}` : '';
      const merge = settings.mergeRatio ? ` merge=${settings.mergeRatio}` : '';
      calls.push(
        `startImage ${handle} ${settings.className} steps=${settings.steps} g=${settings.guidance}${attention}${merge}`,
      );
      const id = `s${next++}`;
      const total = ar ? GRID.height * GRID.width : settings.steps;
      sessions.set(id, { tokens: new Int32Array(LENGTH).fill(MASK), step: 0, total, ar });
      return {
        id,
        model: handle,
        sampler: ar ? 'ar' : 'maskgit',
        settings,
        classes: CLASSES,
        grid: GRID,
        maskTokenId: MASK,
        tokenizer: 'h-emoji-rvq',
        totalSteps: total,
        schedule: [],
        notices: [],
      };
    },
    stepImage: async (id: string): Promise<ImageStepView | null> => {
      calls.push(`stepImage ${id}`);
      const s = sessions.get(id)!;
      if (s.step >= s.total) return null;
      s.step++;
      // Fix the next tokens in sequence order: LENGTH / total per step.
      const per = LENGTH / s.total;
      const unmasked = Array.from({ length: per }, (_, i) => (s.step - 1) * per + i);
      const confidence = new Float32Array(LENGTH).fill(NaN);
      for (const i of unmasked) {
        s.tokens[i] = i;
        confidence[i] = 0.5;
      }
      return {
        step: s.step,
        tokens: s.tokens.slice(),
        unmasked,
        confidence,
        forwards: 2,
        done: s.step === s.total,
        image: image(GRID.depths, s.step),
        ms: 3,
        decodeMs: 1,
        timings: [],
      };
    },
    decodeImage: async (tokenizer: string, tokens: Int32Array, depths: number) => {
      calls.push(`decodeImage ${tokenizer} depths=${depths}`);
      decodeInputs.push(tokens);
      return image(depths, 200);
    },
    imageAttentionDeviation: async (
      handle: string,
      tokens: Int32Array,
      settings: ImageSettings,
    ): Promise<AttentionDeviation> => {
      calls.push(`imageAttentionDeviation ${handle} ${describeImageAttention(settings)}`);
      deviationInputs.push(tokens);
      return { relL2: 0.03, maxAbs: 0.5, tokens: tokens.length, paddedTo: tokens.length };
    },
    closeSession: async (id: string) => {
      calls.push(`close ${id}`);
    },
    terminate: () => {},
  };
  return { client: client as EngineClient, calls, decodeInputs, deviationInputs };
}

const MODEL: LoadedModelInfo = {
  source: 'emoji-maskgit',
  modelType: 'stepwise-maskgit',
  task: 'class-to-image',
  config: {},
  parameters: 1,
  fileBytes: 1,
  gpuBytes: 1,
  tensors: [],
  warnings: [],
  handle: 'h',
};

let fake: ReturnType<typeof fakeImageEngine>;
const img = () => useStore.getState().image;
const form = (patch: Partial<ImageForm>): ImageForm => ({ ...initialImageForm, className: 'face-smiling', ...patch });
const stepCalls = () => fake.calls.filter((c) => c.startsWith('stepImage')).length;

function useFake(options: { failLoad?: string } = {}) {
  fake = fakeImageEngine(options);
  setEngineClientFactory(() => fake.client);
}

beforeEach(async () => {
  useStore.setState(useStore.getInitialState(), true);
  vi.stubGlobal('navigator', { gpu: {} });
  useFake();
  useStore.getState().imageFormChanged({ steps: '4' });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('validateImageForm', () => {
  it('turns the defaults into settings (maskgit: 12 steps, guidance 3, choice temperature 4.5)', () => {
    const { settings, errors } = validateImageForm(form({}), CLASSES);
    expect(errors).toEqual({});
    expect(settings).toEqual({
      className: 'face-smiling',
      steps: 12,
      guidance: 3,
      temperature: 1,
      choiceTemperature: 4.5,
      seed: 1,
    });
  });

  it('needs the class list and one of its classes', () => {
    expect(validateImageForm(form({}), []).errors.className).toMatch(/once the model is loaded/);
    expect(validateImageForm(form({ className: 'nope' }), CLASSES).errors.className).toMatch(/one of the model/);
  });

  it('rejects steps < 1, guidance < 0, temperature ≤ 0 and a bad seed', () => {
    const { errors, settings } = validateImageForm(
      form({ steps: '0', guidance: '-1', temperature: '0', seed: 'x', choiceTemperature: '-2' }),
      CLASSES,
    );
    expect(settings).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['choiceTemperature', 'guidance', 'seed', 'steps', 'temperature']);
  });

  it('does not check or send what the autoregressive generator ignores', () => {
    const { settings, errors } = validateImageForm(
      form({ model: 'emoji-ar', steps: 'x', choiceTemperature: 'y' }),
      CLASSES,
    );
    expect(errors).toEqual({});
    expect(settings).not.toHaveProperty('choiceTemperature');
  });

  it('checks MaskGIT’s attention settings against the 64 grid positions, and sends only what is set', () => {
    const llsa = validateImageForm(form({ attention: 'llsa', blockSize: '4', topKBlocks: '2', levels: '2' }), CLASSES);
    expect(llsa.errors).toEqual({});
    expect(llsa.settings?.attention).toEqual({ kind: 'llsa', blockSize: 4, topK: 2, levels: 2 });
    expect(llsa.settings).not.toHaveProperty('mergeRatio');
    const bt = validateImageForm(form({ attention: 'block-topk', levels: 'x' }), CLASSES);
    expect(bt.settings?.attention).toEqual({ kind: 'block-topk', blockSize: 16, topK: 2 });
    const merged = validateImageForm(form({ mergeRatio: '0.5' }), CLASSES).settings;
    expect(merged?.mergeRatio).toBe(0.5);
    expect(merged).not.toHaveProperty('attention');
    expect(validateImageForm(form({ blockSize: '12' }), CLASSES).errors).toEqual({}); // dense: not read
    const bad = validateImageForm(form({ attention: 'llsa', blockSize: '12', topKBlocks: '0', levels: '9' }), CLASSES);
    expect(Object.keys(bad.errors).sort()).toEqual(['blockSize', 'levels', 'topKBlocks']);
    expect(validateImageForm(form({ attention: 'block-topk', blockSize: '128' }), CLASSES).errors.blockSize).toMatch(
      /divide the 64 grid positions/,
    );
    // 4³ = 64 fits the grid, 4⁴ = 256 does not; another grid (16 positions) takes fewer.
    expect(validateImageForm(form({ attention: 'llsa', blockSize: '4', levels: '3' }), CLASSES).errors).toEqual({});
    expect(validateImageForm(form({ attention: 'llsa', blockSize: '4', levels: '4' }), CLASSES).errors.levels).toMatch(
      /4\^4 = 256\) must divide the 64/,
    );
    expect(
      validateImageForm(form({ attention: 'llsa', blockSize: '4', levels: '3' }), CLASSES, 16).errors.levels,
    ).toMatch(/must divide the 16/);
    expect(validateImageForm(form({ mergeRatio: '0.8' }), CLASSES).errors.mergeRatio).toMatch(/0 \(off\) to 0\.75/);
    expect(validateImageForm(form({ attention: 'llsa', mergeRatio: '0.5' }), CLASSES).errors.mergeRatio).toMatch(
      /dense attention only/,
    );
  });

  it('neither checks nor sends attention settings for the autoregressive generator', () => {
    const { settings, errors } = validateImageForm(
      form({ model: 'emoji-ar', attention: 'llsa', blockSize: 'x', mergeRatio: '2' }),
      CLASSES,
    );
    expect(errors).toEqual({});
    expect(settings).not.toHaveProperty('attention');
    expect(settings).not.toHaveProperty('mergeRatio');
  });

  it('describes a run’s attention in one line', () => {
    expect(describeImageAttention({})).toBe('dense');
    expect(describeImageAttention({ attention: { kind: 'block-topk', blockSize: 16, topK: 2 } })).toBe(
      'block top-K (B=16, K=2)',
    );
    expect(describeImageAttention({ attention: { kind: 'llsa', blockSize: 4, topK: 2, levels: 2 } })).toBe(
      'LLSA (B=4, K=2, L=2)',
    );
    expect(describeImageAttention({ mergeRatio: 0.5 })).toBe('dense, merge ratio 0.5');
  });

  it('preselects the current class, else face-smiling, else the first', () => {
    expect(pickClass('food-fruit', CLASSES)).toBe('food-fruit');
    expect(pickClass('', CLASSES)).toBe('face-smiling');
    expect(pickClass('', ['x', 'y'])).toBe('x');
    expect(pickClass('', [])).toBe('');
  });
});

describe('generators', () => {
  it('loads the chosen generator when the view opens, with its classes, and preselects a class', async () => {
    imageViewOpened();
    expect(img().runs['emoji-maskgit'].status).toBe('loading');
    await ensureImageModel('emoji-maskgit');
    const run = img().runs['emoji-maskgit'];
    expect(run).toMatchObject({ status: 'ready', handle: 'h-emoji-maskgit', classes: CLASSES });
    expect(img().form.className).toBe('face-smiling');
    expect(fake.calls).toEqual(['loadModel emoji-maskgit']);
  });

  it('waits for the page’s own load before loading (the engine loads one source at a time)', async () => {
    useStore.getState().loadStarted('brown-gpt2', 'brown-gpt2', null, 0);
    const load = ensureImageModel('emoji-maskgit');
    await new Promise((r) => setTimeout(r, 5));
    expect(fake.calls).toEqual([]);
    useStore.getState().loadFailed(useStore.getState().load.loadId, { name: 'x', code: 'cancelled', message: '' }, 1);
    await load;
    expect(fake.calls).toEqual(['loadModel emoji-maskgit']);
  });

  it('shows a failed load in the generator’s panel; Step then starts nothing', async () => {
    useFake({ failLoad: 'emoji-maskgit' });
    await ensureImageModel('emoji-maskgit');
    expect(img().runs['emoji-maskgit'].status).toBe('error');
    expect(img().runs['emoji-maskgit'].error?.message).toMatch(/no emoji-maskgit/);
    await imageStep();
    expect(fake.calls.some((c) => c.startsWith('startImage'))).toBe(false);
  });

  it('choosing the other generator resets the run and loads it', async () => {
    await ensureImageModel('emoji-maskgit');
    await imageStep();
    await imageChooseModel('emoji-ar');
    await ensureImageModel('emoji-ar');
    expect(img().form.model).toBe('emoji-ar');
    expect(img().runs['emoji-maskgit'].info).toBeNull();
    expect(fake.calls).toContain('close s1');
    expect(img().runs['emoji-ar'].status).toBe('ready');
  });
});

describe('stepping', () => {
  beforeEach(async () => {
    await ensureImageModel('emoji-maskgit');
  });

  it('Step starts a session with the form’s settings, then one step per press', async () => {
    await imageStep();
    await imageStep();
    await imageStep();
    expect(fake.calls.filter((c) => c.startsWith('startImage'))).toEqual([
      'startImage h-emoji-maskgit face-smiling steps=4 g=3',
    ]);
    expect(stepCalls()).toBe(3);
    expect(img().selected).toBe(3);
    expect(img().runs['emoji-maskgit'].steps.map((s) => s.step)).toEqual([1, 2, 3]);
  });

  it('Step back scrubs to the previous snapshot and Step replays it, without the engine', async () => {
    await imageStep();
    await imageStep();
    imageStepBack();
    imageStepBack();
    imageStepBack(); // stops at 0: all masked
    expect(img().selected).toBe(0);
    await imageStep();
    expect(img().selected).toBe(1);
    expect(stepCalls()).toBe(2);
  });

  it('Run steps to the end; a finished run does not step again', async () => {
    await imageRun();
    const run = img().runs['emoji-maskgit'];
    expect(run.steps).toHaveLength(4);
    expect(run.done).toBe(true);
    expect(img().selected).toBe(4);
    expect(img().running).toBe(false);
    await imageRun();
    await imageStep();
    expect(stepCalls()).toBe(4);
  });

  it('Pause stops a run after the step in flight', async () => {
    const unsubscribe = useStore.subscribe((s) => {
      if (s.image.runs['emoji-maskgit'].steps.length === 1 && !s.image.pauseRequested) s.imagePauseRequested();
    });
    await imageRun();
    unsubscribe();
    expect(img().runs['emoji-maskgit'].steps).toHaveLength(1);
    expect(img().running).toBe(false);
  });

  it('rejects invalid settings before anything starts', async () => {
    useStore.getState().imageFormChanged({ guidance: '-1' });
    await imageStep();
    expect(img().error?.message).toMatch(/Guidance/);
    expect(fake.calls.some((c) => c.startsWith('startImage'))).toBe(false);
  });

  it('Reset closes the session and forgets the run, but keeps the loaded generator and its classes', async () => {
    await imageStep();
    await imageReset();
    expect(fake.calls).toContain('close s1');
    const run = img().runs['emoji-maskgit'];
    expect(run.info).toBeNull();
    expect(run.steps).toEqual([]);
    expect(run).toMatchObject({ status: 'ready', classes: CLASSES });
    expect(img().selected).toBe(0);
  });
});

describe('the Timings panel on the Images tab', () => {
  it('lists the kernels of the chosen generator’s step at the timeline', async () => {
    await ensureImageModel('emoji-maskgit');
    const stepper = fake.client.stepImage;
    fake.client.stepImage = async (id: string) => {
      const s = await stepper(id);
      return s && { ...s, timings: [{ name: `kernel of step ${s.step}`, calls: 1, ms: s.step }] };
    };
    useStore.getState().showView('images');
    expect(selectedStepTimings(useStore.getState())).toBeNull(); // all masked: no step yet
    await imageStep();
    await imageStep();
    imageStepBack();
    expect(selectedStepTimings(useStore.getState())).toEqual({
      label: 'Step 1 · emoji-maskgit',
      ms: 3,
      timings: [{ name: 'kernel of step 1', calls: 1, ms: 1 }],
    });
    useStore.getState().showView('overview');
    expect(selectedStepTimings(useStore.getState())).toBeNull();
  });
});

describe('side by side', () => {
  it('one Step advances both generators; the shorter run shows its last snapshot', async () => {
    useStore.getState().imageFormChanged({ steps: '2' });
    await imageSetSideBySide(true);
    await ensureImageModel('emoji-ar');
    await imageStep();
    expect(fake.calls.filter((c) => c.startsWith('startImage'))).toEqual([
      'startImage h-emoji-maskgit face-smiling steps=2 g=3',
      'startImage h-emoji-ar face-smiling steps=1 g=3',
    ]);
    expect(stepCalls()).toBe(2);
    await imageRun();
    const d = img();
    expect(d.runs['emoji-maskgit'].steps).toHaveLength(2);
    expect(d.runs['emoji-ar'].steps).toHaveLength(4);
    expect(imageTimelineLength(d)).toBe(4);
    expect(d.selected).toBe(4);
    expect(runStepAt(d.runs['emoji-maskgit'], 4)?.step).toBe(2);
    expect(runStepAt(d.runs['emoji-ar'], 0)).toBeNull();
  });
});

describe('decoding with fewer depths', () => {
  it('decodes a copy of the snapshot’s tokens once per step and depth', async () => {
    await ensureImageModel('emoji-maskgit');
    await imageStep();
    await imageStep();
    await imageEnsureDecoded('emoji-maskgit', 2, 1);
    await imageEnsureDecoded('emoji-maskgit', 2, 1);
    // All depths: the snapshot's own image, no call.
    await imageEnsureDecoded('emoji-maskgit', 2, 2);
    expect(fake.calls.filter((c) => c.startsWith('decodeImage'))).toEqual(['decodeImage h-emoji-rvq depths=1']);
    const step = img().runs['emoji-maskgit'].steps[1];
    expect(fake.decodeInputs[0]).not.toBe(step.tokens);
    expect([...fake.decodeInputs[0]]).toEqual([...step.tokens]);
    const key = decodeKey(img().runs['emoji-maskgit'].info!.id, 2, 1);
    expect(img().decoded[key]?.depths).toBe(1);
  });
});

describe('animation', () => {
  it('plays from the start through every snapshot, then stops', async () => {
    await ensureImageModel('emoji-maskgit');
    await imageRun();
    vi.useFakeTimers();
    imagePlay();
    expect(img()).toMatchObject({ playing: true, selected: 0 });
    vi.advanceTimersByTime(playFrameMs(4));
    expect(img().selected).toBe(1);
    vi.advanceTimersByTime(playFrameMs(4) * 10);
    expect(img()).toMatchObject({ playing: false, selected: 4 });
  });

  it('spends about three seconds on a run, 60 … 400 ms a frame', () => {
    expect(playFrameMs(12)).toBe(250);
    expect(playFrameMs(64)).toBe(60);
    expect(playFrameMs(2)).toBe(400);
  });
});

describe('compare with dense', () => {
  const step = (tokens: number[], ms: number) => ({ tokens: Int32Array.from(tokens), ms });
  const dev = (relL2: number): AttentionDeviation => ({ relL2, maxAbs: 0.25, tokens: 4, paddedTo: 4 });

  it('reports the deviation, the differing tokens of the final grids and the median step times', () => {
    const run = [step([1, MASK, MASK, MASK], 50), step([1, 2, 3, MASK], 1), step([1, 2, 3, 4], 2)];
    const dense = [step([1, MASK, MASK, MASK], 60), step([1, 5, 3, MASK], 4), step([1, 5, 3, 6], 4)];
    expect(compareImageDense(run, dense, dev(0.01))).toEqual({
      relL2: 0.01,
      maxAbs: 0.25,
      different: 2, // tokens 1 and 3
      total: 4,
      steps: 3,
      msPerStep: 2, // medians: the first (compiling) step does not count
      denseMsPerStep: 4,
      speedup: 2,
    });
  });

  it('runs the same settings and seed with dense attention in a session of its own, keeping the run', async () => {
    await ensureImageModel('emoji-maskgit');
    useStore.getState().imageFormChanged({ attention: 'block-topk', blockSize: '2', topKBlocks: '1', seed: '7' });
    const stepper = fake.client.stepImage;
    fake.client.stepImage = async (id: string) => {
      const s = await stepper(id);
      if (!s || id !== 's2') return s;
      // The dense session (s2) takes twice as long per step and ends with token 7 changed.
      const tokens = s.tokens.slice();
      if (s.done) tokens[7] = 3;
      return { ...s, tokens, ms: 6 };
    };
    await imageRun();
    const kept = img().runs['emoji-maskgit'].steps;
    const progress: number[] = [];
    let idleWhileRunning = false;
    const unsubscribe = useStore.subscribe((st) => {
      const c = st.image.denseCompare;
      if (c.status !== 'running') return;
      if (progress.at(-1) !== c.step) progress.push(c.step);
      idleWhileRunning ||= !st.image.busy;
    });
    await imageCompareDense();
    unsubscribe();
    // The view counts its steps; Step, Run and Reset wait while it runs (busy).
    expect(progress).toEqual([0, 1, 2, 3, 4]);
    expect(idleWhileRunning).toBe(false);
    expect(fake.calls.filter((c) => c.startsWith('startImage'))).toEqual([
      'startImage h-emoji-maskgit face-smiling steps=4 g=3 block-topk',
      'startImage h-emoji-maskgit face-smiling steps=4 g=3',
    ]);
    expect(fake.calls).toContain('close s2');
    expect(fake.calls).not.toContain('close s1');
    // One forward with the run's setting against dense, on (a copy of) the dense run's grid after step 1.
    expect(fake.calls.filter((c) => c.startsWith('imageAttentionDeviation'))).toEqual([
      'imageAttentionDeviation h-emoji-maskgit block top-K (B=2, K=1)',
    ]);
    expect([...fake.deviationInputs[0]]).toEqual([0, 1, MASK, MASK, MASK, MASK, MASK, MASK]);
    expect(img().runs['emoji-maskgit'].steps).toBe(kept);
    expect(img().busy).toBe(false);
    expect(img().denseCompare).toMatchObject({ session: 's1', status: 'done', step: 4, error: null });
    expect(img().denseCompare.report).toEqual({
      relL2: 0.03,
      maxAbs: 0.5,
      different: 1,
      total: LENGTH,
      steps: 4,
      msPerStep: 3,
      denseMsPerStep: 6,
      speedup: 2,
    });
  });

  it('compares a merged run too; Reset and a new run forget the report', async () => {
    await ensureImageModel('emoji-maskgit');
    useStore.getState().imageFormChanged({ mergeRatio: '0.5' });
    await imageRun();
    await imageCompareDense();
    expect(fake.calls.find((c) => c.startsWith('imageAttentionDeviation'))).toBe(
      'imageAttentionDeviation h-emoji-maskgit dense, merge ratio 0.5',
    );
    expect(img().denseCompare.status).toBe('done');
    await imageReset();
    expect(img().denseCompare).toMatchObject({ session: null, status: 'idle', report: null });
  });

  it('does nothing for a dense run or an unfinished one', async () => {
    await ensureImageModel('emoji-maskgit');
    await imageRun();
    await imageCompareDense();
    expect(img().denseCompare.status).toBe('idle');
    await imageReset();
    useStore.getState().imageFormChanged({ attention: 'block-topk', blockSize: '2', topKBlocks: '1' });
    await imageStep();
    await imageCompareDense();
    expect(img().denseCompare.status).toBe('idle');
    expect(fake.calls.filter((c) => c.startsWith('startImage'))).toHaveLength(2);
  });

  it('shows the engine’s message when the dense run fails', async () => {
    await ensureImageModel('emoji-maskgit');
    useStore.getState().imageFormChanged({ attention: 'block-topk', blockSize: '2', topKBlocks: '1' });
    await imageRun();
    fake.client.imageAttentionDeviation = async () => {
      throw Object.assign(new Error('top-K 9 keeps 9 blocks per query block'), { code: 'bad-input' });
    };
    await imageCompareDense();
    expect(img().denseCompare.status).toBe('error');
    expect(img().denseCompare.error?.message).toMatch(/top-K 9/);
    expect(img().busy).toBe(false);
    expect(fake.calls).toContain('close s2');
  });
});
