// Autoregressive text generation as the step view shows it: the settings form (kept as typed text, so
// an invalid entry can be shown with its message), and the runs of the loaded model as branches of
// step snapshots. Every step the engine returns is kept, so the timeline moves back and forth without
// recomputing; a branch copies its parent's first `atStep` snapshots and continues in its own session.

import type { ErrorData, TextSessionInfo, TextSettings, TextStep } from '../engine/api.ts';
import type { SliceCreator } from './types.ts';

/** The settings form, as typed. */
export interface TextForm {
  prompt: string;
  maxTokens: string;
  temperature: string;
  topK: string;
  topP: string;
  repetitionPenalty: string;
  seed: string;
}

export type TextFormErrors = Partial<Record<keyof TextForm, string>>;

/** One line of generation: the first run, or a branch cut from another one at a step. */
export interface TextBranch {
  id: number; // 1, 2, … in order of creation
  sessionId: string; // the engine session that continues it
  parent: number | null; // the branch it was cut from
  atStep: number; // steps kept from the parent (0 for the first run)
  settings: TextSettings;
  steps: TextStep[]; // snapshots, inherited ones included: steps[i].step === i + 1
  done: boolean; // the session stopped (end of text or the token limit)
}

export interface TextState {
  handle: string | null; // the model the branches belong to
  form: TextForm;
  info: TextSessionInfo | null; // the first session: prompt tokens and pieces, notices
  branches: TextBranch[];
  active: number; // id of the branch shown; 0 before the first step
  selected: number; // the step shown: 0 = the prompt alone
  busy: boolean; // an engine call is in flight
  running: boolean; // Run (or a branch's regeneration) is stepping
  pauseRequested: boolean;
  error: ErrorData | null;
}

export interface TextSlice {
  text: TextState;
  textFormChanged(patch: Partial<TextForm>): void;
  textStarted(handle: string, info: TextSessionInfo): void;
  textBranchAdded(branch: Omit<TextBranch, 'id'>): number;
  textStepAdded(branchId: number, step: TextStep): void;
  textBranchDone(branchId: number): void;
  textSelect(step: number): void;
  textActivate(branchId: number): void;
  textBusy(busy: boolean): void;
  textRunning(running: boolean): void;
  textPauseRequested(): void;
  textFailed(error: ErrorData | null): void;
  textCleared(): void;
}

export const initialTextForm: TextForm = {
  prompt: 'The jury said',
  maxTokens: '32',
  temperature: '0.8',
  topK: '40',
  topP: '0.95',
  repetitionPenalty: '1.1',
  seed: '1',
};

export const initialText: TextState = {
  handle: null,
  form: initialTextForm,
  info: null,
  branches: [],
  active: 0,
  selected: 0,
  busy: false,
  running: false,
  pauseRequested: false,
  error: null,
};

export const MAX_SEED = 2 ** 31 - 1;

/** A number as typed: NaN for an empty or malformed entry. */
export function parseNumber(s: string): number {
  const t = s.trim();
  return t === '' ? NaN : Number(t);
}

export function isWhole(x: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return Number.isInteger(x) && x >= min && x <= max;
}

export function seedError(s: string): string | undefined {
  return isWhole(parseNumber(s), 0, MAX_SEED) ? undefined : `Seed must be a whole number from 0 to ${MAX_SEED}.`;
}

/** The form's settings, or the message for each field that is not valid (the engine checks again). */
export function validateTextForm(form: TextForm): { settings: TextSettings | null; errors: TextFormErrors } {
  const errors: TextFormErrors = {};
  const maxTokens = parseNumber(form.maxTokens);
  const temperature = parseNumber(form.temperature);
  const topK = parseNumber(form.topK);
  const topP = parseNumber(form.topP);
  const repetitionPenalty = parseNumber(form.repetitionPenalty);
  const seed = parseNumber(form.seed);
  if (!isWhole(maxTokens, 1, 100_000)) errors.maxTokens = 'Max tokens must be a whole number from 1 to 100000.';
  if (!(temperature >= 0 && temperature <= 100)) errors.temperature = 'Temperature must be from 0 (greedy) to 100.';
  if (!isWhole(topK, 1)) errors.topK = 'Top-k must be a whole number ≥ 1 (the vocabulary size or more: no limit).';
  if (!(topP > 0 && topP <= 1)) errors.topP = 'Top-p must be in (0, 1] (1 = no limit).';
  if (!(repetitionPenalty > 0 && repetitionPenalty <= 100))
    errors.repetitionPenalty = 'Repetition penalty must be > 0 and at most 100 (1 = off).';
  const seedMessage = seedError(form.seed);
  if (seedMessage) errors.seed = seedMessage;
  if (Object.keys(errors).length > 0) return { settings: null, errors };
  return {
    settings: { prompt: form.prompt, maxTokens, temperature, topK, topP, repetitionPenalty, seed },
    errors,
  };
}

/** The branch the view shows, if any. */
export function activeBranch(t: TextState): TextBranch | null {
  return t.branches.find((b) => b.id === t.active) ?? null;
}

export const createTextSlice: SliceCreator<TextSlice> = (set, get) => {
  const patch = (f: (t: TextState) => Partial<TextState>) => set((s) => ({ text: { ...s.text, ...f(s.text) } }));
  const updateBranch = (id: number, f: (b: TextBranch) => TextBranch) =>
    patch((t) => ({ branches: t.branches.map((b) => (b.id === id ? f(b) : b)) }));
  return {
    text: initialText,
    textFormChanged: (p) => patch((t) => ({ form: { ...t.form, ...p } })),
    textStarted: (handle, info) =>
      patch(() => ({ handle, info, branches: [], active: 0, selected: 0, error: null, pauseRequested: false })),
    textBranchAdded: (branch) => {
      const id = get().text.branches.reduce((n, b) => Math.max(n, b.id), 0) + 1;
      patch((t) => ({ branches: [...t.branches, { ...branch, id }], active: id, selected: branch.atStep }));
      return id;
    },
    textStepAdded: (branchId, step) => {
      updateBranch(branchId, (b) => ({ ...b, steps: [...b.steps, step], done: step.stop !== null }));
      // The view follows the newest step of the branch it shows.
      patch((t) => (t.active === branchId ? { selected: step.step } : {}));
    },
    textBranchDone: (branchId) => updateBranch(branchId, (b) => ({ ...b, done: true })),
    textSelect: (step) =>
      patch((t) => {
        const n = activeBranch(t)?.steps.length ?? 0;
        return { selected: Math.max(0, Math.min(n, Math.round(step))) };
      }),
    textActivate: (branchId) =>
      patch((t) => {
        const b = t.branches.find((x) => x.id === branchId);
        return b ? { active: b.id, selected: Math.min(t.selected, b.steps.length) } : {};
      }),
    textBusy: (busy) => patch(() => ({ busy })),
    textRunning: (running) => patch(() => ({ running, pauseRequested: false })),
    textPauseRequested: () => patch((t) => (t.running ? { pauseRequested: true } : {})),
    textFailed: (error) => patch(() => ({ error })),
    textCleared: () => patch((t) => ({ ...initialText, form: t.form })),
  };
};
