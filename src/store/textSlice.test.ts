// The autoregressive text view's store: form validation, stepping (new steps only at the end of a
// branch, replayed snapshots elsewhere), Run / Pause, branching from a step with another seed, and
// Reset — against a fake engine client whose tokens are a function of the seed and the step.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LoadedModelInfo, TextSessionInfo, TextSettings, TextStep } from '../engine/api.ts';
import type { EngineClient } from '../worker/client.ts';
import {
  activeBranch,
  setEngineClientFactory,
  textBranch,
  textPause,
  textReset,
  textRun,
  textSelectStep,
  textStep,
  textStepBack,
  useStore,
  validateTextForm,
} from './index.ts';
import { initialTextForm } from './textSlice.ts';

/** A fake engine: session tokens are 1000·seed + step; a branch inherits its parent's tokens. */
function fakeTextEngine() {
  const sessions = new Map<string, { settings: TextSettings; tokens: number[]; max: number }>();
  let next = 1;
  const calls: string[] = [];
  const step = (id: string): TextStep | null => {
    const s = sessions.get(id);
    if (!s) throw new Error(`no text session "${id}"`);
    if (s.tokens.length >= s.max) return null;
    const n = s.tokens.length + 1;
    const token = 1000 * s.settings.seed + n;
    s.tokens.push(token);
    return {
      step: n,
      token,
      piece: ` t${token}`,
      p: 0.5,
      entropy: n / 10,
      top: [{ token, piece: ` t${token}`, p: 0.5 }],
      text: s.tokens.map((t) => ` t${t}`).join(''),
      stop: n >= s.max ? 'limit' : null,
      ms: 1,
      timings: [{ name: 'matmul', calls: 2, ms: 0.5 }],
    };
  };
  const info = (id: string, settings: TextSettings, stepsBefore: number): TextSessionInfo => ({
    id,
    model: 'm1',
    settings,
    promptTokens: [1, 2],
    promptPieces: ['The', ' jury'],
    promptText: 'The jury',
    notices: settings.prompt === '' ? ['empty prompt: starting from the end-of-text token'] : [],
    stepsBefore,
  });
  const client: Partial<EngineClient> = {
    startText: async (_handle: string, settings: TextSettings) => {
      calls.push(`start seed=${settings.seed}`);
      const id = `s${next++}`;
      sessions.set(id, { settings, tokens: [], max: settings.maxTokens });
      return info(id, settings, 0);
    },
    stepText: async (id: string) => {
      calls.push(`step ${id}`);
      return step(id);
    },
    branchText: async (from: string, atStep: number, settings: TextSettings) => {
      calls.push(`branch ${from}@${atStep} seed=${settings.seed}`);
      const src = sessions.get(from);
      if (!src) throw new Error(`no text session "${from}"`);
      const id = `s${next++}`;
      sessions.set(id, { settings, tokens: src.tokens.slice(0, atStep), max: Math.min(src.max, settings.maxTokens) });
      return info(id, settings, atStep);
    },
    closeSession: async (id: string) => {
      calls.push(`close ${id}`);
      sessions.delete(id);
    },
    terminate: () => {},
  };
  return { client: client as EngineClient, calls, sessions };
}

const MODEL: LoadedModelInfo = {
  source: 'brown-gpt2',
  modelType: 'gpt2',
  task: 'text-generation',
  config: {},
  parameters: 1,
  fileBytes: 1,
  gpuBytes: 1,
  tensors: [],
  warnings: [],
  handle: 'm1',
};

let fake: ReturnType<typeof fakeTextEngine>;

beforeEach(() => {
  useStore.setState(useStore.getInitialState(), true);
  vi.stubGlobal('navigator', { gpu: {} });
  fake = fakeTextEngine();
  setEngineClientFactory(() => fake.client);
  useStore.setState({ model: MODEL });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const text = () => useStore.getState().text;
const tokens = () => activeBranch(text())?.steps.map((s) => s.token) ?? [];

describe('validateTextForm', () => {
  it('accepts the defaults', () => {
    const { settings, errors } = validateTextForm(initialTextForm);
    expect(errors).toEqual({});
    expect(settings).toMatchObject({ maxTokens: 32, temperature: 0.8, topK: 40, topP: 0.95, seed: 1 });
  });

  it('names every invalid field', () => {
    const { settings, errors } = validateTextForm({
      prompt: '',
      maxTokens: '0',
      temperature: '-1',
      topK: '2.5',
      topP: '1.5',
      repetitionPenalty: '0',
      seed: 'x',
    });
    expect(settings).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(
      ['maxTokens', 'repetitionPenalty', 'seed', 'temperature', 'topK', 'topP'].sort(),
    );
    expect(errors.topP).toMatch(/\(0, 1\]/);
    expect(errors.seed).toMatch(/whole number/);
  });

  it('treats an empty entry as invalid, not as 0', () => {
    expect(validateTextForm({ ...initialTextForm, topK: '  ' }).errors.topK).toBeDefined();
  });
});

describe('stepping', () => {
  it('starts a session on the first Step, then adds one snapshot per Step', async () => {
    await textStep();
    await textStep();
    expect(tokens()).toEqual([1001, 1002]);
    expect(text().selected).toBe(2);
    expect(text().info?.promptPieces).toEqual(['The', ' jury']);
    expect(fake.calls).toEqual(['start seed=1', 'step s1', 'step s1']);
  });

  it('moves back and forward through kept snapshots without asking the engine', async () => {
    for (let i = 0; i < 5; i++) await textStep();
    const before = fake.calls.length;
    textStepBack();
    textStepBack();
    expect(text().selected).toBe(3);
    textSelectStep(1);
    expect(text().selected).toBe(1);
    await textStep(); // replays snapshot 2
    expect(text().selected).toBe(2);
    expect(fake.calls.length).toBe(before);
    textSelectStep(99);
    expect(text().selected).toBe(5);
    textSelectStep(-3);
    expect(text().selected).toBe(0);
  });

  it('refuses to start with invalid settings, saying why', async () => {
    useStore.getState().textFormChanged({ topP: '0' });
    await textStep();
    expect(text().branches).toEqual([]);
    expect(text().error?.message).toMatch(/Top-p/);
    expect(fake.calls).toEqual([]);
  });

  it('Run goes to the token limit and marks the branch done', async () => {
    useStore.getState().textFormChanged({ maxTokens: '4' });
    await textRun();
    expect(tokens()).toEqual([1001, 1002, 1003, 1004]);
    expect(activeBranch(text())?.done).toBe(true);
    expect(text().running).toBe(false);
    await textStep(); // nothing left to do
    expect(tokens()).toHaveLength(4);
  });

  it('Pause stops a run between steps', async () => {
    const step = fake.client.stepText;
    fake.client.stepText = async (id: string) => {
      const s = await step(id);
      if (s?.step === 3) textPause();
      return s;
    };
    await textRun();
    expect(tokens()).toEqual([1001, 1002, 1003]);
    expect(text().running).toBe(false);
    expect(text().pauseRequested).toBe(false);
  });

  it('keeps the engine’s notices (e.g. an empty prompt)', async () => {
    useStore.getState().textFormChanged({ prompt: '' });
    await textStep();
    expect(text().info?.notices).toEqual(['empty prompt: starting from the end-of-text token']);
  });

  it('records an engine failure and stays usable', async () => {
    fake.client.stepText = () => Promise.reject(new Error('the GPU device was lost'));
    await textStep();
    expect(text().error?.message).toBe('the GPU device was lost');
    expect(text().busy).toBe(false);
  });
});

describe('branching', () => {
  it('keeps the steps before the cut, regenerates the rest with the new seed, and keeps the history', async () => {
    for (let i = 0; i < 5; i++) await textStep();
    textSelectStep(2);
    useStore.getState().textFormChanged({ seed: '7' });
    await textBranch();
    expect(fake.calls).toContain('branch s1@2 seed=7');
    expect(tokens()).toEqual([1001, 1002, 7003, 7004, 7005]);
    const t = text();
    expect(t.branches.map((b) => [b.id, b.parent, b.atStep, b.steps.length])).toEqual([
      [1, null, 0, 5],
      [2, 1, 2, 5],
    ]);
    expect(t.active).toBe(2);
    expect(t.selected).toBe(5);
    // The branch keeps the run's prompt even if the form changed.
    expect(activeBranch(t)?.settings.prompt).toBe(initialTextForm.prompt);
    // The first run is still there, unchanged, and can be shown again.
    useStore.getState().textActivate(1);
    expect(tokens()).toEqual([1001, 1002, 1003, 1004, 1005]);
  });

  it('branches from a branch', async () => {
    for (let i = 0; i < 4; i++) await textStep();
    textSelectStep(1);
    useStore.getState().textFormChanged({ seed: '2' });
    await textBranch();
    textSelectStep(3);
    useStore.getState().textFormChanged({ seed: '3' });
    await textBranch();
    expect(tokens()).toEqual([1001, 2002, 2003, 3004]);
    expect(activeBranch(text())).toMatchObject({ id: 3, parent: 2, atStep: 3 });
  });

  it('Reset closes every session and keeps the form', async () => {
    await textStep();
    useStore.getState().textFormChanged({ seed: '9' });
    await textBranch();
    await textReset();
    expect(fake.calls.filter((c) => c.startsWith('close')).sort()).toEqual(['close s1', 'close s2']);
    expect(text().branches).toEqual([]);
    expect(text().form.seed).toBe('9');
  });

  it('forgets the runs of a model that was replaced', async () => {
    await textStep();
    useStore.setState({ model: { ...MODEL, handle: 'm2' } });
    await textStep();
    expect(text().handle).toBe('m2');
    expect(text().branches).toHaveLength(1);
    expect(tokens()).toEqual([1001]);
    expect(fake.calls).toContain('close s1');
  });

  it('does nothing for a model that is not autoregressive', async () => {
    useStore.setState({ model: { ...MODEL, modelType: 'mdlm' } });
    await textStep();
    expect(fake.calls).toEqual([]);
  });
});
