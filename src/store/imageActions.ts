// Actions of the Images view: load the generators (with their class lists), Step, Run, Pause, Step
// back, Reset, the timeline, the animation through the kept snapshots, and decoding a snapshot with
// fewer RVQ depths for the depth slider. Stepping forward first replays snapshots already computed;
// the engine is asked for a new step only at the end. In the side-by-side mode one Step advances both
// generators by one step each (one model evaluation, doubled by guidance, for each). A finished MaskGIT
// run with sparse attention or token merging can be compared with the dense run of the same settings.
//
// The generators are loaded with the engine directly, not as the page's model: the side-by-side mode
// needs two at once, and the engine answers a load of an already loaded model at once, so every run
// start asks again (a model the page unloaded meanwhile is loaded anew).

import type { ImageStepView } from '../engine/api.ts';
import type { StoreState } from './types.ts';
import { toErrorData } from '../shared/errors.ts';
import { engine } from './actions.ts';
import {
  canCompareDense,
  compareImageDense,
  decodeKey,
  imageFinished,
  imagePositions,
  imageTimelineLength,
  otherImageModel,
  pickClass,
  runStepAt,
  shownImageModels,
  validateImageForm,
  type ImageModelId,
  type ImageState,
} from './image.ts';
import { useStore } from './store.ts';

/** Resolves once `pred` holds for the store. */
function until(pred: (s: StoreState) => boolean): Promise<void> {
  if (pred(useStore.getState())) return Promise.resolve();
  return new Promise((resolve) => {
    const unsubscribe = useStore.subscribe((s) => {
      if (!pred(s)) return;
      unsubscribe();
      resolve();
    });
  });
}

/** A queue: each piece of work starts when the previous one has settled. */
function queue(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const result = tail.then(work, work);
    tail = result.catch(() => {});
    return result;
  };
}

// Steps, starts and decodes go to the engine one after another (a decode asked for by the depth
// slider waits for the step in flight); loads too, in a queue of their own: the engine loads one
// source at a time, and a second load would cancel the first.
const serial = queue();
const serialLoad = queue();

// ---- the generators ----------------------------------------------------------------------------------

const loads = new Map<ImageModelId, Promise<string | null>>();

/** Loads a generator (or finds it loaded: the engine then answers at once); resolves to its handle, or
 *  null when the load failed (its panel says why). Never rejects. */
export function ensureImageModel(id: ImageModelId): Promise<string | null> {
  let load = loads.get(id);
  if (!load) {
    const st = useStore.getState();
    if (st.image.runs[id].status !== 'ready') st.imageRunChanged(id, { status: 'loading', progress: 0, error: null });
    load = serialLoad(() => loadGenerator(id)).finally(() => loads.delete(id));
    loads.set(id, load);
  }
  return load;
}

async function loadGenerator(id: ImageModelId): Promise<string | null> {
  for (let attempt = 0; ; attempt++) {
    // Never while the page loads its model: this load would cancel that one.
    await until((s) => s.load.status !== 'loading');
    try {
      const info = await engine().loadModel(id, (p) => {
        const s = useStore.getState();
        if (s.image.runs[id].status === 'loading')
          s.imageRunChanged(id, { progress: p.total ? Math.min(1, p.loaded / p.total) : null });
      });
      const s = useStore.getState();
      const classes = info.classes ?? [];
      s.imageRunChanged(id, { status: 'ready', progress: null, handle: info.handle, classes, error: null });
      if (s.image.form.model === id) s.imageFormChanged({ className: pickClass(s.image.form.className, classes) });
      return info.handle;
    } catch (e) {
      const error = toErrorData(e);
      // The page started a load of its own meanwhile, which cancelled this one: try again after it.
      if (error.code === 'cancelled' && attempt < 3) continue;
      useStore.getState().imageRunChanged(id, { status: 'error', progress: null, handle: null, error });
      return null;
    }
  }
}

/** The view opened: load the shown generators, so the class list is there before a run. */
export function imageViewOpened(): void {
  for (const m of shownImageModels(useStore.getState().image)) void ensureImageModel(m);
}

/** Another generator for the (left) panel: the runs start again. */
export async function imageChooseModel(id: ImageModelId): Promise<void> {
  if (useStore.getState().image.form.model !== id) {
    await imageReset();
    const s = useStore.getState();
    s.imageFormChanged({ model: id, className: pickClass(s.image.form.className, s.image.runs[id].classes) });
  }
  imageViewOpened();
}

/** Turns the side-by-side mode on (loading the other generator) or off; the runs start again. */
export async function imageSetSideBySide(on: boolean): Promise<void> {
  if (useStore.getState().image.sideBySide === on) return;
  await imageReset();
  useStore.getState().imageSideBySide(on);
  if (on) void ensureImageModel(otherImageModel(useStore.getState().image.form.model));
}

// ---- stepping ------------------------------------------------------------------------------------------

function started(d: ImageState): boolean {
  return shownImageModels(d).some((m) => d.runs[m].info !== null);
}

async function exclusive(work: () => Promise<void>): Promise<void> {
  const s = useStore.getState();
  if (s.image.busy) return;
  s.imageBusy(true);
  s.imageFailed(null);
  try {
    await work();
  } catch (e) {
    useStore.getState().imageFailed(toErrorData(e));
  } finally {
    useStore.getState().imageBusy(false);
  }
}

/** Loads the shown generators and starts a session on each with the form's settings. False when
 *  nothing started (invalid settings: the message shows as the run's error). */
async function startRuns(): Promise<boolean> {
  const models = shownImageModels(useStore.getState().image);
  for (const m of models) await ensureImageModel(m);
  const d = useStore.getState().image;
  const primary = d.runs[d.form.model];
  if (primary.status === 'ready') {
    const { errors } = validateImageForm(d.form, primary.classes, imagePositions(primary));
    const first = Object.values(errors)[0];
    if (first) {
      useStore.getState().imageFailed({ name: 'StepwiseError', code: 'bad-input', message: first });
      return false;
    }
  }
  let any = false;
  for (const m of models) {
    const run = useStore.getState().image.runs[m];
    if (!run.handle) continue; // its load failed: its panel says why
    const handle = run.handle;
    const { settings, errors } = validateImageForm({ ...d.form, model: m }, run.classes, imagePositions(run));
    if (!settings) {
      const message = Object.values(errors)[0] ?? 'invalid settings';
      useStore.getState().imageRunChanged(m, { error: { name: 'StepwiseError', code: 'bad-input', message } });
      continue;
    }
    try {
      const info = await serial(() => engine().startImage(handle, settings));
      useStore.getState().imageRunStarted(m, info);
      any = true;
    } catch (e) {
      useStore.getState().imageRunChanged(m, { error: toErrorData(e) });
    }
  }
  return any;
}

/** One step of every shown run that has not finished. */
async function computeStep(): Promise<void> {
  for (const m of shownImageModels(useStore.getState().image)) {
    const run = useStore.getState().image.runs[m];
    if (!run.info || run.done || run.error) continue;
    const session = run.info.id;
    try {
      const step = await serial(() => engine().stepImage(session));
      if (step) useStore.getState().imageStepAdded(m, step);
      else useStore.getState().imageRunChanged(m, { done: true });
    } catch (e) {
      useStore.getState().imageRunChanged(m, { error: toErrorData(e) });
    }
  }
}

export async function imageStep(): Promise<void> {
  imageStopPlaying();
  const d = useStore.getState().image;
  if (d.busy || d.running) return;
  if (d.selected < imageTimelineLength(d)) {
    useStore.getState().imageSelect(d.selected + 1);
    return;
  }
  if (started(d) && imageFinished(d)) return;
  await exclusive(async () => {
    if (!started(useStore.getState().image) && !(await startRuns())) return;
    await computeStep();
  });
}

/** Steps until every shown run has finished (or Pause); the view follows the newest step. */
export async function imageRun(): Promise<void> {
  imageStopPlaying();
  const d = useStore.getState().image;
  if (d.busy || d.running) return;
  useStore.getState().imageRunning(true);
  try {
    await exclusive(async () => {
      if (!started(useStore.getState().image) && !(await startRuns())) return;
      for (;;) {
        const now = useStore.getState().image;
        if (imageFinished(now) || now.pauseRequested) break;
        const last = imageTimelineLength(now);
        if (now.selected < last) useStore.getState().imageSelect(last);
        await computeStep();
      }
    });
  } finally {
    useStore.getState().imageRunning(false);
  }
}

export function imagePause(): void {
  imageStopPlaying();
  useStore.getState().imagePauseRequested();
}

export function imageStepBack(): void {
  imageStopPlaying();
  const { image, imageSelect } = useStore.getState();
  if (image.running) return;
  imageSelect(image.selected - 1);
}

export function imageSelectStep(k: number): void {
  imageStopPlaying();
  const { image, imageSelect } = useStore.getState();
  if (image.running) return;
  imageSelect(k);
}

function closeSessions(): void {
  for (const run of Object.values(useStore.getState().image.runs)) {
    const id = run.info?.id;
    if (id)
      void engine()
        .closeSession(id)
        .catch(() => {});
  }
}

/** Forgets the runs and closes their sessions; the loaded generators, the form and the mode stay. */
export async function imageReset(): Promise<void> {
  imageStopPlaying();
  if (useStore.getState().image.running) useStore.getState().imagePauseRequested();
  await until((s) => !s.image.busy);
  closeSessions();
  useStore.getState().imageCleared();
}

// ---- compare with dense attention ----------------------------------------------------------------------

/** Runs the finished MaskGIT run's settings and seed again with dense attention and no merging, in a
 *  session of its own (the kept snapshots stay as they are), then reports the logits' deviation, the
 *  tokens that differ and the step times. The deviation is measured as the CLI does, on one forward over
 *  the dense run's grid after its first step: a grid the model really sees mid-run (some codes fixed,
 *  most masked), the same for both settings; the all-masked start carries no image yet, and a finished
 *  grid is one the sampler never feeds the model. */
export async function imageCompareDense(): Promise<void> {
  imageStopPlaying();
  const s = useStore.getState();
  const d = s.image;
  const run = d.runs['emoji-maskgit'];
  if (d.busy || d.running || !shownImageModels(d).includes('emoji-maskgit') || !canCompareDense(run)) return;
  const info = run.info!;
  s.imageBusy(true);
  s.imageDenseCompareChanged({ session: info.id, status: 'running', step: 0, report: null, error: null });
  let session: string | null = null;
  try {
    const started = await serial(() =>
      engine().startImage(info.model, { ...info.settings, attention: { kind: 'dense' }, mergeRatio: 0 }),
    );
    const id = started.id;
    session = id;
    const steps: ImageStepView[] = [];
    for (;;) {
      const step = await serial(() => engine().stepImage(id));
      if (!step) break;
      steps.push(step);
      useStore.getState().imageDenseCompareChanged({ step: steps.length });
      if (step.done) break;
    }
    // The client transfers typed arrays to the worker: send a copy, the snapshot keeps its tokens.
    const grid = (steps[0]?.tokens ?? new Int32Array(0)).slice();
    const deviation = await serial(() => engine().imageAttentionDeviation(info.model, grid, info.settings));
    const now = useStore.getState().image;
    // The run was reset meanwhile: the comparison belongs to no run.
    if (now.runs['emoji-maskgit'].info?.id !== info.id) return;
    const report = compareImageDense(now.runs['emoji-maskgit'].steps, steps, deviation);
    useStore.getState().imageDenseCompareChanged({ status: 'done', report });
  } catch (e) {
    useStore.getState().imageDenseCompareChanged({ status: 'error', error: toErrorData(e) });
  } finally {
    if (session)
      void engine()
        .closeSession(session)
        .catch(() => {});
    useStore.getState().imageBusy(false);
  }
}

// ---- the animation -------------------------------------------------------------------------------------

let playTimer: ReturnType<typeof setTimeout> | null = null;

/** Time per frame: a whole run plays in about three seconds, each step shown 60 … 400 ms. */
export function playFrameMs(steps: number): number {
  return Math.round(Math.min(400, Math.max(60, 3000 / Math.max(1, steps))));
}

/** Plays through the kept snapshots, from the start when the view is at the last one. */
export function imagePlay(): void {
  const d = useStore.getState().image;
  const n = imageTimelineLength(d);
  if (n === 0 || d.running || d.busy) return;
  imageStopPlaying();
  if (d.selected >= n) useStore.getState().imageSelect(0);
  useStore.getState().imagePlaying(true);
  const frame = playFrameMs(n);
  const tick = () => {
    const s = useStore.getState().image;
    if (!s.playing) return;
    if (s.selected >= imageTimelineLength(s)) {
      imageStopPlaying();
      return;
    }
    useStore.getState().imageSelect(s.selected + 1);
    playTimer = setTimeout(tick, frame);
  };
  playTimer = setTimeout(tick, frame);
}

export function imageStopPlaying(): void {
  if (playTimer !== null) clearTimeout(playTimer);
  playTimer = null;
  if (useStore.getState().image.playing) useStore.getState().imagePlaying(false);
}

// ---- decoding with fewer depths ----------------------------------------------------------------------

const decoding = new Set<string>();

/** Decodes the snapshot a run shows at timeline step k with the first `depth` depths, unless it is
 *  kept already (a snapshot carries its image decoded with every depth). */
export async function imageEnsureDecoded(model: ImageModelId, k: number, depth: number): Promise<void> {
  const d = useStore.getState().image;
  const run = d.runs[model];
  const step = runStepAt(run, k);
  if (!run.info || !step || depth >= step.image.depths) return;
  const session = run.info.id;
  const tokenizer = run.info.tokenizer;
  const key = decodeKey(session, step.step, depth);
  if (d.decoded[key] || decoding.has(key)) return;
  decoding.add(key);
  try {
    // The client transfers typed arrays to the worker: send a copy, the snapshot keeps its tokens.
    const image = await serial(() => engine().decodeImage(tokenizer, step.tokens.slice(), depth));
    // A Reset meanwhile forgot the session: the image belongs to no run.
    if (useStore.getState().image.runs[model].info?.id === session) useStore.getState().imageDecoded(key, image);
  } catch (e) {
    useStore.getState().imageFailed(toErrorData(e));
  } finally {
    decoding.delete(key);
  }
}
