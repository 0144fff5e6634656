// Actions of the masked-diffusion view: Step, Run, Pause, Step back, Reset, the timeline, and the
// side-by-side mode, which runs an autoregressive model (brown-gpt2) on the same prompt, one token per
// denoising step, so the two ways of writing text can be watched together. Stepping forward first
// replays snapshots already computed; the engine is asked for a new step only at the end. One engine
// call at a time. A finished run can be compared with the same settings without a cache, or with
// dense attention and no token merging.

import type { DiffusionStepView, TextSettings } from '../engine/api.ts';
import { toErrorData } from '../shared/errors.ts';
import { engine } from './actions.ts';
import {
  COMPANION_MODEL,
  compareDense,
  compareRuns,
  isDenseRun,
  MASK_TEXT,
  promptMasks,
  validateDiffusionForm,
} from './diffusionSlice.ts';
import { useStore } from './store.ts';

/** Whether the loaded model generates text by masked diffusion. */
export function isDiffusionModel(modelType: string | undefined): boolean {
  return modelType === 'mdlm';
}

function diffusionModelHandle(): string | null {
  const { model } = useStore.getState();
  return model && isDiffusionModel(model.modelType) ? model.handle : null;
}

async function exclusive(work: () => Promise<void>): Promise<void> {
  const s = useStore.getState();
  if (s.diffusion.busy) return;
  s.diffusionBusy(true);
  s.diffusionFailed(null);
  try {
    await work();
  } catch (e) {
    useStore.getState().diffusionFailed(toErrorData(e));
  } finally {
    useStore.getState().diffusionBusy(false);
  }
}

function closeSessions(): void {
  const { diffusion } = useStore.getState();
  const ids = [diffusion.info?.id, diffusion.companion.info?.id].filter((x): x is string => !!x);
  for (const id of ids)
    void engine()
      .closeSession(id)
      .catch(() => {});
}

/** A session of a model that is no longer the page's model was closed with it: forget it. */
export function dropStaleRun(handle: string): void {
  const { diffusion, diffusionCleared } = useStore.getState();
  if (diffusion.handle !== null && diffusion.handle !== handle) {
    closeSessions();
    diffusionCleared();
  }
}

// ---- the autoregressive companion ------------------------------------------------------------------

/** The prompt the autoregressive model continues: the text before the first [MASK]. */
export function companionPrompt(prompt: string): string {
  const i = prompt.indexOf(MASK_TEXT);
  return i < 0 ? prompt : prompt.slice(0, i);
}

let companionLoad: Promise<string | null> | null = null;

/** Loads the companion model (or finds it loaded: then the engine answers at once). One load at a
 *  time, and never while the page loads a model: the engine serves one load at a time and a second
 *  one would cancel the first. */
function ensureCompanion(): Promise<string | null> {
  const s = useStore.getState();
  if (s.load.status === 'loading') return Promise.resolve(s.diffusion.companion.handle);
  companionLoad ??= (async () => {
    useStore.getState().companionChanged({ status: 'loading', error: null });
    try {
      const info = await engine().loadModel(COMPANION_MODEL);
      useStore.getState().companionChanged({ status: 'ready', handle: info.handle });
      return info.handle;
    } catch (e) {
      useStore.getState().companionChanged({ status: 'error', handle: null, error: toErrorData(e) });
      return null;
    } finally {
      companionLoad = null;
    }
  })();
  return companionLoad;
}

/** Turns the side-by-side mode on (loading the companion model) or off. */
export async function setSideBySide(on: boolean): Promise<void> {
  const s = useStore.getState();
  s.diffusionSideBySide(on);
  if (!on) {
    const id = s.diffusion.companion.info?.id;
    if (id)
      void engine()
        .closeSession(id)
        .catch(() => {});
    s.companionChanged({ status: 'off', info: null, steps: [], done: false, ms: 0, error: null });
    return;
  }
  await ensureCompanion();
}

async function startCompanion(length: number, seed: number): Promise<void> {
  const { diffusion } = useStore.getState();
  if (!diffusion.sideBySide) return;
  const handle = await ensureCompanion();
  if (!handle) return;
  const settings: TextSettings = {
    prompt: companionPrompt(diffusion.form.prompt),
    maxTokens: Math.max(1, length + promptMasks(diffusion.form.prompt)),
    temperature: 0.8,
    topK: 40,
    topP: 0.95,
    repetitionPenalty: 1.1,
    seed,
  };
  try {
    const info = await engine().startText(handle, settings);
    useStore.getState().companionChanged({ info, steps: [], done: false, ms: 0, error: null });
  } catch (e) {
    useStore.getState().companionChanged({ status: 'error', error: toErrorData(e) });
  }
}

function companionPending(): boolean {
  const { sideBySide, companion } = useStore.getState().diffusion;
  return sideBySide && companion.info !== null && !companion.done && companion.error === null;
}

async function companionStep(): Promise<void> {
  const { companion } = useStore.getState().diffusion;
  if (!companionPending() || !companion.info) return;
  try {
    const step = await engine().stepText(companion.info.id);
    if (step) useStore.getState().companionStepAdded(step);
    else useStore.getState().companionChanged({ done: true });
  } catch (e) {
    useStore.getState().companionChanged({ status: 'error', error: toErrorData(e) });
  }
}

// ---- stepping --------------------------------------------------------------------------------------

async function startRun(handle: string): Promise<boolean> {
  const { settings, errors } = validateDiffusionForm(useStore.getState().diffusion.form);
  if (!settings) {
    const first = Object.values(errors)[0];
    useStore.getState().diffusionFailed({
      name: 'StepwiseError',
      code: 'bad-input',
      message: first ?? 'invalid settings',
    });
    return false;
  }
  const info = await engine().startDiffusion(handle, settings);
  useStore.getState().diffusionStarted(handle, info);
  await startCompanion(settings.length, settings.seed);
  return true;
}

/** One denoising step (unless the run is done), then one token of the companion. */
async function computeStep(): Promise<void> {
  const { diffusion } = useStore.getState();
  if (diffusion.info && !diffusion.done) {
    const step = await engine().stepDiffusion(diffusion.info.id);
    if (step) useStore.getState().diffusionStepAdded(step);
    else useStore.getState().diffusionDone();
  }
  await companionStep();
}

function finished(): boolean {
  const { diffusion } = useStore.getState();
  return diffusion.info !== null && diffusion.done && !companionPending();
}

export async function diffusionStep(): Promise<void> {
  const handle = diffusionModelHandle();
  if (!handle) return;
  dropStaleRun(handle);
  const { diffusion, diffusionSelect } = useStore.getState();
  if (diffusion.busy || diffusion.running) return;
  if (diffusion.selected < diffusion.steps.length) {
    diffusionSelect(diffusion.selected + 1);
    return;
  }
  if (finished()) return;
  await exclusive(async () => {
    if (!useStore.getState().diffusion.info && !(await startRun(handle))) return;
    await computeStep();
  });
}

export async function diffusionRun(): Promise<void> {
  const handle = diffusionModelHandle();
  if (!handle) return;
  dropStaleRun(handle);
  const { diffusion } = useStore.getState();
  if (diffusion.busy || diffusion.running) return;
  useStore.getState().diffusionRunning(true);
  try {
    await exclusive(async () => {
      if (!useStore.getState().diffusion.info && !(await startRun(handle))) return;
      for (;;) {
        const d = useStore.getState().diffusion;
        if (finished() || d.pauseRequested) break;
        if (d.selected < d.steps.length) useStore.getState().diffusionSelect(d.steps.length);
        await computeStep();
      }
    });
  } finally {
    useStore.getState().diffusionRunning(false);
  }
}

export function diffusionPause(): void {
  useStore.getState().diffusionPauseRequested();
}

export function diffusionStepBack(): void {
  const { diffusion, diffusionSelect } = useStore.getState();
  if (diffusion.running) return;
  diffusionSelect(diffusion.selected - 1);
}

export function diffusionSelectStep(k: number): void {
  const { diffusion, diffusionSelect } = useStore.getState();
  if (diffusion.running) return;
  diffusionSelect(k);
}

/** Forgets the run and closes its sessions; the form and the side-by-side choice stay. */
export async function diffusionReset(): Promise<void> {
  if (useStore.getState().diffusion.running) useStore.getState().diffusionPauseRequested();
  while (useStore.getState().diffusion.busy) await new Promise((r) => setTimeout(r, 10));
  closeSessions();
  useStore.getState().diffusionCleared();
}

// ---- compare with uncached -------------------------------------------------------------------------

/** Runs the finished cached run's settings again with cache 'none' in a session of its own (the
 *  kept snapshots stay as they are), then reports the speed-up and how many tokens agree. */
export async function diffusionCompareUncached(): Promise<void> {
  const s = useStore.getState();
  const d = s.diffusion;
  if (d.busy || d.running || !d.info || !d.done || !d.handle) return;
  const cache = d.info.settings.cache ?? 'none';
  if (cache === 'none') return;
  const { info, handle } = d;
  s.diffusionBusy(true);
  s.compareChanged({ status: 'running', step: 0, report: null, error: null });
  let session: string | null = null;
  try {
    const started = await engine().startDiffusion(handle, { ...info.settings, cache: 'none' });
    session = started.id;
    const steps: DiffusionStepView[] = [];
    for (;;) {
      const step = await engine().stepDiffusion(session);
      if (!step) break;
      steps.push(step);
      useStore.getState().compareChanged({ step: steps.length });
      if (step.done) break;
    }
    const now = useStore.getState().diffusion;
    // The run was reset meanwhile: the comparison belongs to no run.
    if (now.info?.id !== info.id) return;
    const report = compareRuns(info.tokens, info.maskTokenId, now.steps, steps);
    useStore.getState().compareChanged({ status: 'done', report });
  } catch (e) {
    useStore.getState().compareChanged({ status: 'error', error: toErrorData(e) });
  } finally {
    if (session)
      void engine()
        .closeSession(session)
        .catch(() => {});
    useStore.getState().diffusionBusy(false);
  }
}

// ---- compare with dense attention ------------------------------------------------------------------

/** Runs the finished run's settings again with dense attention and no merging in a session of its own
 *  (the kept snapshots stay as they are), then measures the logits of both on the starting sequence
 *  and on the dense run's final text, and reports them with the differing tokens and step times. */
export async function diffusionCompareDense(): Promise<void> {
  const s = useStore.getState();
  const d = s.diffusion;
  if (d.busy || d.running || !d.info || !d.done || !d.handle) return;
  if (isDenseRun(d.info.settings)) return;
  const { info, handle } = d;
  const setting = { attention: info.settings.attention, mergeRatio: info.settings.mergeRatio };
  s.diffusionBusy(true);
  s.denseCompareChanged({ status: 'running', step: 0, report: null, error: null });
  let session: string | null = null;
  try {
    const started = await engine().startDiffusion(handle, {
      ...info.settings,
      attention: { kind: 'dense' },
      mergeRatio: 0,
    });
    session = started.id;
    const steps: DiffusionStepView[] = [];
    for (;;) {
      const step = await engine().stepDiffusion(session);
      if (!step) break;
      steps.push(step);
      useStore.getState().denseCompareChanged({ step: steps.length });
      if (step.done) break;
    }
    const deviation = {
      start: await engine().attentionDeviation(handle, info.tokens, setting),
      text: await engine().attentionDeviation(handle, Array.from(steps.at(-1)?.tokens ?? info.tokens), setting),
    };
    const now = useStore.getState().diffusion;
    // The run was reset meanwhile: the comparison belongs to no run.
    if (now.info?.id !== info.id) return;
    const report = compareDense(info.tokens, info.maskTokenId, now.steps, steps, deviation);
    useStore.getState().denseCompareChanged({ status: 'done', report });
  } catch (e) {
    useStore.getState().denseCompareChanged({ status: 'error', error: toErrorData(e) });
  } finally {
    if (session)
      void engine()
        .closeSession(session)
        .catch(() => {});
    useStore.getState().diffusionBusy(false);
  }
}
