// Actions of the autoregressive text view: Step, Run, Pause, Step back, Reset, Branch and moving the
// timeline. Stepping forward first replays snapshots already computed (no recompute), and asks the
// engine for a new step only at the end of the branch. One engine call at a time: every action that
// would overlap one in flight does nothing (Pause only asks the running loop to stop).

import type { TextSettings } from '../engine/api.ts';
import { toErrorData } from '../shared/errors.ts';
import { engine } from './actions.ts';
import { useStore } from './store.ts';
import { activeBranch, validateTextForm, type TextBranch } from './textSlice.ts';

/** Whether the loaded model generates text one token at a time. */
export function isTextModel(modelType: string | undefined): boolean {
  return modelType === 'gpt2' || modelType === 'llama';
}

function textModelHandle(): string | null {
  const { model } = useStore.getState();
  return model && isTextModel(model.modelType) ? model.handle : null;
}

/** Runs `work` as the one engine call in flight; errors land in the store. False if busy or failed. */
async function exclusive(work: () => Promise<void>): Promise<boolean> {
  const s = useStore.getState();
  if (s.text.busy) return false;
  s.textBusy(true);
  s.textFailed(null);
  try {
    await work();
    return true;
  } catch (e) {
    useStore.getState().textFailed(toErrorData(e));
    return false;
  } finally {
    useStore.getState().textBusy(false);
  }
}

/** Sessions of a model that is no longer the page's model were closed with it: forget them. */
export function dropStaleRun(handle: string): void {
  const { text, textCleared } = useStore.getState();
  if (text.handle !== null && text.handle !== handle) {
    closeSessions(text.branches);
    textCleared();
  }
}

function closeSessions(branches: TextBranch[]): void {
  for (const b of branches)
    void engine()
      .closeSession(b.sessionId)
      .catch(() => {});
}

/** Starts the first run from the form's settings; false when the form or the engine refuses. */
async function startRun(handle: string): Promise<boolean> {
  const { settings, errors } = validateTextForm(useStore.getState().text.form);
  if (!settings) {
    const first = Object.values(errors)[0];
    useStore.getState().textFailed({ name: 'StepwiseError', code: 'bad-input', message: first ?? 'invalid settings' });
    return false;
  }
  const info = await engine().startText(handle, settings);
  const s = useStore.getState();
  s.textStarted(handle, info);
  s.textBranchAdded({ sessionId: info.id, parent: null, atStep: 0, settings: info.settings, steps: [], done: false });
  return true;
}

/** One new step at the end of the active branch. */
async function computeStep(branch: TextBranch): Promise<void> {
  const step = await engine().stepText(branch.sessionId);
  if (step) useStore.getState().textStepAdded(branch.id, step);
  else useStore.getState().textBranchDone(branch.id);
}

/** Forward by one step: the next snapshot if there is one, else a new step (starting a run if needed). */
export async function textStep(): Promise<void> {
  const handle = textModelHandle();
  if (!handle) return;
  dropStaleRun(handle);
  const { text, textSelect } = useStore.getState();
  if (text.busy || text.running) return;
  const b = activeBranch(text);
  if (b && text.selected < b.steps.length) {
    textSelect(text.selected + 1);
    return;
  }
  if (b?.done) return;
  await exclusive(async () => {
    if (!b && !(await startRun(handle))) return;
    const branch = activeBranch(useStore.getState().text);
    if (branch) await computeStep(branch);
  });
}

/** Steps the active branch until it stops, Pause is pressed, or it has `until` steps. */
async function runActive(until = Infinity): Promise<void> {
  useStore.getState().textRunning(true);
  try {
    for (;;) {
      const { text } = useStore.getState();
      const b = activeBranch(text);
      if (!b || b.done || b.steps.length >= until || text.pauseRequested || text.error) break;
      if (text.selected < b.steps.length) useStore.getState().textSelect(b.steps.length);
      await computeStep(b);
    }
  } finally {
    useStore.getState().textRunning(false);
  }
}

/** Generates until the end of text, the token limit or Pause. */
export async function textRun(): Promise<void> {
  const handle = textModelHandle();
  if (!handle) return;
  dropStaleRun(handle);
  const { text } = useStore.getState();
  if (text.busy || text.running) return;
  await exclusive(async () => {
    if (!activeBranch(useStore.getState().text) && !(await startRun(handle))) return;
    await runActive();
  });
}

export function textPause(): void {
  useStore.getState().textPauseRequested();
}

/** Back one step: only the view moves; the snapshots stay. */
export function textStepBack(): void {
  const { text, textSelect } = useStore.getState();
  if (text.running) return;
  textSelect(text.selected - 1);
}

/** Shows step `k` of the active branch (0 = the prompt alone). */
export function textSelectStep(k: number): void {
  const { text, textSelect } = useStore.getState();
  if (text.running) return;
  textSelect(k);
}

/** Shows another branch (its snapshots; its session continues where it stopped). */
export function textShowBranch(id: number): void {
  const { text, textActivate } = useStore.getState();
  if (text.running || text.busy) return;
  textActivate(id);
}

/** Forgets every branch and closes their sessions; the form stays. */
export async function textReset(): Promise<void> {
  const { text } = useStore.getState();
  if (text.running) useStore.getState().textPauseRequested();
  // Wait for the step in flight (if any) before closing its session.
  while (useStore.getState().text.busy) await new Promise((r) => setTimeout(r, 10));
  closeSessions(useStore.getState().text.branches);
  useStore.getState().textCleared();
}

/** The settings a branch would take from the form (its prompt is the run's: a branch keeps it). */
export function branchSettings(): { settings: TextSettings | null; message: string | null } {
  const { text } = useStore.getState();
  const { settings, errors } = validateTextForm(text.form);
  if (!settings) return { settings: null, message: Object.values(errors)[0] ?? 'invalid settings' };
  const prompt = activeBranch(text)?.settings.prompt ?? settings.prompt;
  return { settings: { ...settings, prompt }, message: null };
}

/**
 * A new branch from the selected step of the active branch, with the form's settings (e.g. another
 * seed): the tokens up to that step stay, and the engine regenerates as many steps as the source had.
 */
export async function textBranch(): Promise<void> {
  const handle = textModelHandle();
  if (!handle) return;
  dropStaleRun(handle);
  const { text } = useStore.getState();
  const source = activeBranch(text);
  if (!source || text.busy || text.running) return;
  const atStep = text.selected;
  const { settings, message } = branchSettings();
  if (!settings) {
    useStore.getState().textFailed({ name: 'StepwiseError', code: 'bad-input', message: message ?? '' });
    return;
  }
  await exclusive(async () => {
    const info = await engine().branchText(source.sessionId, atStep, settings);
    useStore.getState().textBranchAdded({
      sessionId: info.id,
      parent: source.id,
      atStep,
      settings: info.settings,
      steps: source.steps.slice(0, atStep),
      done: false,
    });
    await runActive(source.steps.length);
  });
}
