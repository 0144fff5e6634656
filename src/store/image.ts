// Image-token generation as the Images view shows it: which generator runs (emoji-maskgit fixes many
// tokens per step in confidence order, emoji-ar one grid position per step), the settings form (kept
// as typed text, so an invalid entry shows with its message), every step snapshot of a run (the
// timeline scrubs over them without recomputing), the RVQ depth the image is decoded with, and the
// side-by-side mode: both generators on the same class and seed, one panel each. MaskGIT runs may swap
// dense attention for block top-K or LLSA over the grid, or merge tokens; a finished run with either is
// then compared with the dense run of the same settings and seed ("Compare with dense").

import type {
  AttentionDeviation,
  AttentionKind,
  AttentionSetting,
  DecodedImage,
  ErrorData,
  ImageSamplerName,
  ImageSessionInfo,
  ImageSettings,
  ImageStepView,
} from '../engine/api.ts';
import { isDenseRun, MAX_MERGE_RATIO } from './diffusionSlice.ts';
import { isWhole, parseNumber, seedError } from './textSlice.ts';
import type { SliceCreator } from './types.ts';
import { median } from '../shared/median.ts';

export type ImageModelId = 'emoji-maskgit' | 'emoji-ar';

export const IMAGE_MODELS: ReadonlyArray<{ id: ImageModelId; sampler: ImageSamplerName; label: string }> = [
  { id: 'emoji-maskgit', sampler: 'maskgit', label: 'emoji-maskgit (MaskGIT)' },
  { id: 'emoji-ar', sampler: 'ar', label: 'emoji-ar (autoregressive)' },
];

/** The class preselected once the class list is known (when the model has it). */
export const DEFAULT_CLASS = 'face-smiling';

/** RVQ depths of the shipped tokenizer: what the depth slider offers before a run reports its grid. */
export const DEFAULT_DEPTHS = 4;

/** Grid positions of the shipped tokenizer (8×8): what MaskGIT attends over, before a run reports its grid. */
export const DEFAULT_POSITIONS = 64;

/** The other generator: the second panel of the side-by-side mode. */
export function otherImageModel(id: ImageModelId): ImageModelId {
  return id === 'emoji-maskgit' ? 'emoji-ar' : 'emoji-maskgit';
}

export function samplerOf(id: ImageModelId): ImageSamplerName {
  return id === 'emoji-ar' ? 'ar' : 'maskgit';
}

export interface ImageForm {
  model: ImageModelId; // the generator of the (left) panel
  className: string;
  steps: string; // maskgit only
  guidance: string;
  temperature: string;
  choiceTemperature: string; // maskgit only
  seed: string;
  attention: AttentionKind; // maskgit only: over the grid positions, in Morton order
  blockSize: string; // block-topk, llsa: grid positions per block (a square patch when a power of 4)
  topKBlocks: string; // block-topk, llsa: key blocks kept per query block
  levels: string; // llsa
  mergeRatio: string; // maskgit only: tokens merged per 2×2 cell (tomesd), 0 = off
}

/** Which attention fields each attention kind reads (the merge ratio is read with every kind). */
export const IMAGE_ATTENTION_FIELDS: Record<AttentionKind, ReadonlyArray<keyof ImageForm>> = {
  dense: [],
  'block-topk': ['blockSize', 'topKBlocks'],
  llsa: ['blockSize', 'topKBlocks', 'levels'],
};

export type ImageFormErrors = Partial<Record<keyof ImageForm, string>>;

export type ImageModelStatus = 'idle' | 'loading' | 'ready' | 'error';

/** One generator's model and its run (one panel of the view). */
export interface ImageRun {
  model: ImageModelId;
  status: ImageModelStatus; // of loading the generator onto the GPU
  progress: number | null; // share of its bytes loaded, while loading
  handle: string | null;
  classes: string[]; // the generator's class names, known once it is loaded
  info: ImageSessionInfo | null;
  steps: ImageStepView[]; // steps[i].step === i + 1
  done: boolean;
  error: ErrorData | null; // what stopped this generator (loading or stepping)
}

/** A finished MaskGIT run with sparse attention or token merging against the dense run of the same
 *  settings and seed. */
export interface ImageDenseReport {
  relL2: number; // logits of one forward on the dense run's grid after its first step, relative L2 against dense
  maxAbs: number; // max |logits − dense logits| of that forward
  different: number; // tokens (every position and depth) that differ between the two final grids
  total: number; // tokens in the grid
  steps: number; // steps of the run
  msPerStep: number; // median step time of the run
  denseMsPerStep: number; // median step time of the dense run
  speedup: number; // denseMsPerStep / msPerStep
}

export interface ImageDenseCompare {
  session: string | null; // the MaskGIT session the comparison belongs to
  status: 'idle' | 'running' | 'done' | 'error';
  step: number; // dense steps computed so far
  report: ImageDenseReport | null;
  error: ErrorData | null;
}

/** How the token grid is coloured: the probability each token had when it was fixed, or its step. */
export type GridColouring = 'confidence' | 'step';

export interface ImageState {
  form: ImageForm;
  runs: Record<ImageModelId, ImageRun>;
  selected: number; // the step shown, 0 = all masked; runs with fewer steps show their last one
  depth: number; // decode with the first `depth` RVQ depths (1 … grid depths)
  colouring: GridColouring;
  sideBySide: boolean;
  busy: boolean; // an engine call of a run is in flight
  running: boolean;
  pauseRequested: boolean;
  playing: boolean; // the animation plays through the kept snapshots
  error: ErrorData | null; // what stopped the run as a whole (e.g. invalid settings)
  /** Images decoded with fewer depths than the step's own, by decodeKey(). */
  decoded: Record<string, DecodedImage>;
  denseCompare: ImageDenseCompare; // of the emoji-maskgit run
}

export interface ImageSlice {
  image: ImageState;
  imageFormChanged(patch: Partial<ImageForm>): void;
  imageRunChanged(model: ImageModelId, patch: Partial<ImageRun>): void;
  imageRunStarted(model: ImageModelId, info: ImageSessionInfo): void;
  imageStepAdded(model: ImageModelId, step: ImageStepView): void;
  imageSelect(step: number): void;
  imageDepth(depth: number): void;
  imageColouring(colouring: GridColouring): void;
  imageSideBySide(on: boolean): void;
  imageBusy(busy: boolean): void;
  imageRunning(running: boolean): void;
  imagePauseRequested(): void;
  imagePlaying(playing: boolean): void;
  imageFailed(error: ErrorData | null): void;
  imageDecoded(key: string, image: DecodedImage): void;
  imageDenseCompareChanged(patch: Partial<ImageDenseCompare>): void;
  /** Forgets the runs (not the loaded models, their classes, the form or the view's choices). */
  imageCleared(): void;
}

export const initialImageForm: ImageForm = {
  model: 'emoji-maskgit',
  className: '',
  steps: '12',
  guidance: '3',
  temperature: '1',
  choiceTemperature: '4.5',
  seed: '1',
  attention: 'dense',
  // 16 positions = 4×4 patches: the 8×8 grid has 4 blocks, of which K = 2 keep half the keys.
  blockSize: '16',
  topKBlocks: '2',
  levels: '1',
  mergeRatio: '0',
};

export const initialImageDenseCompare: ImageDenseCompare = {
  session: null,
  status: 'idle',
  step: 0,
  report: null,
  error: null,
};

export function emptyImageRun(model: ImageModelId): ImageRun {
  return {
    model,
    status: 'idle',
    progress: null,
    handle: null,
    classes: [],
    info: null,
    steps: [],
    done: false,
    error: null,
  };
}

export const initialImage: ImageState = {
  form: initialImageForm,
  runs: { 'emoji-maskgit': emptyImageRun('emoji-maskgit'), 'emoji-ar': emptyImageRun('emoji-ar') },
  selected: 0,
  depth: DEFAULT_DEPTHS,
  colouring: 'confidence',
  sideBySide: false,
  busy: false,
  running: false,
  pauseRequested: false,
  playing: false,
  error: null,
  decoded: {},
  denseCompare: initialImageDenseCompare,
};

/** The generators the view shows: the chosen one, and in the side-by-side mode the other one too. */
export function shownImageModels(s: Pick<ImageState, 'form' | 'sideBySide'>): ImageModelId[] {
  return s.sideBySide ? [s.form.model, otherImageModel(s.form.model)] : [s.form.model];
}

/** Steps the timeline spans: the longest shown run. */
export function imageTimelineLength(s: ImageState): number {
  return Math.max(0, ...shownImageModels(s).map((m) => s.runs[m].steps.length));
}

/** The snapshot a run shows at timeline step k: its own step k, or its last one when it ended sooner. */
export function runStepAt(run: ImageRun, k: number): ImageStepView | null {
  const i = Math.min(k, run.steps.length);
  return i > 0 ? run.steps[i - 1] : null;
}

/** Whether every shown run has finished, or stopped with an error (which may have kept it from starting). */
export function imageFinished(s: ImageState): boolean {
  return shownImageModels(s).every((m) => {
    const r = s.runs[m];
    return r.error !== null || (r.info !== null && r.done);
  });
}

/** Where an image decoded with fewer depths is kept: per session, step and depth. */
export function decodeKey(session: string, step: number, depth: number): string {
  return `${session}:${step}:${depth}`;
}

/** The form's settings, or the message for each field that is not valid. `classes` is the
 *  generator's class list (empty while it loads), `positions` the grid positions MaskGIT attends over.
 *  The engine checks again (e.g. steps against the grid's token count); its message then shows as the
 *  run's error. */
export function validateImageForm(
  form: ImageForm,
  classes: readonly string[],
  positions = DEFAULT_POSITIONS,
): { settings: ImageSettings | null; errors: ImageFormErrors } {
  const errors: ImageFormErrors = {};
  const maskgit = samplerOf(form.model) === 'maskgit';
  const steps = parseNumber(form.steps);
  const guidance = parseNumber(form.guidance);
  const temperature = parseNumber(form.temperature);
  const choiceTemperature = parseNumber(form.choiceTemperature);
  const seed = parseNumber(form.seed);
  if (classes.length === 0) errors.className = 'The classes are listed once the model is loaded.';
  else if (!classes.includes(form.className)) errors.className = 'Choose one of the model’s classes.';
  if (maskgit && !isWhole(steps, 1, 4096)) errors.steps = 'Steps must be a whole number ≥ 1.';
  if (!(guidance >= 0 && guidance <= 50)) errors.guidance = 'Guidance must be from 0 (conditional only) to 50.';
  if (!(temperature > 0 && temperature <= 10)) errors.temperature = 'Temperature must be above 0, at most 10.';
  if (maskgit && !(choiceTemperature >= 0 && choiceTemperature <= 100))
    errors.choiceTemperature = 'Choice temperature must be from 0 to 100.';
  const seedMessage = seedError(form.seed);
  if (seedMessage) errors.seed = seedMessage;
  // The autoregressive generator has causal attention and no merging: it neither reads nor gets these.
  const attention = maskgit ? validateImageAttention(form, positions, errors) : null;
  if (Object.keys(errors).length > 0) return { settings: null, errors };
  const settings: ImageSettings = {
    className: form.className,
    // AR ignores it (one step per position); any valid value keeps the settings well-formed.
    steps: maskgit ? steps : 1,
    guidance,
    temperature,
    seed,
  };
  if (maskgit) settings.choiceTemperature = choiceTemperature;
  if (attention && attention.attention.kind !== 'dense') settings.attention = attention.attention;
  if (attention && attention.mergeRatio > 0) settings.mergeRatio = attention.mergeRatio;
  return { settings, errors };
}

/** MaskGIT's attention fields: messages into `errors`, and the setting they describe (when valid).
 *  Sparse attention pools blocks of B positions, L times for LLSA: B^L must divide the positions. */
function validateImageAttention(
  form: ImageForm,
  positions: number,
  errors: ImageFormErrors,
): { attention: AttentionSetting; mergeRatio: number } {
  const uses = new Set(IMAGE_ATTENTION_FIELDS[form.attention]);
  const blockSize = parseNumber(form.blockSize);
  const topK = parseNumber(form.topKBlocks);
  const levels = parseNumber(form.levels);
  const mergeRatio = parseNumber(form.mergeRatio);
  if (uses.has('blockSize')) {
    if (!(isWhole(blockSize, 2) && (blockSize & (blockSize - 1)) === 0))
      errors.blockSize = 'Block size must be a power of two ≥ 2 (2, 4, 8, 16 …).';
    else if (positions % blockSize !== 0) errors.blockSize = `Block size must divide the ${positions} grid positions.`;
  }
  if (uses.has('topKBlocks') && !isWhole(topK, 1)) errors.topKBlocks = 'Top-K blocks must be a whole number ≥ 1.';
  if (uses.has('levels')) {
    if (!isWhole(levels, 1, 8)) errors.levels = 'Levels must be a whole number from 1 to 8.';
    else if (!errors.blockSize && positions % blockSize ** levels !== 0)
      errors.levels = `Block size^levels (${blockSize}^${levels} = ${blockSize ** levels}) must divide the ${positions} grid positions.`;
  }
  if (!(mergeRatio >= 0 && mergeRatio <= MAX_MERGE_RATIO))
    errors.mergeRatio = `Merge ratio must be from 0 (off) to ${MAX_MERGE_RATIO}.`;
  else if (mergeRatio > 0 && form.attention !== 'dense')
    errors.mergeRatio = 'Token merging runs with dense attention only: set the ratio to 0 or the attention to dense.';
  const attention: AttentionSetting =
    form.attention === 'dense'
      ? { kind: 'dense' }
      : form.attention === 'block-topk'
        ? { kind: 'block-topk', blockSize, topK }
        : { kind: 'llsa', blockSize, topK, levels };
  return { attention, mergeRatio };
}

/** The grid positions a run attends over: its grid's, or the shipped tokenizer's before it starts. */
export function imagePositions(run: ImageRun): number {
  return run.info ? run.info.grid.height * run.info.grid.width : DEFAULT_POSITIONS;
}

/** One line for the run's attention, e.g. "block top-K (B=16, K=2)" or "dense, merge ratio 0.5". */
export function describeImageAttention(s: Pick<ImageSettings, 'attention' | 'mergeRatio'>): string {
  const a = s.attention ?? { kind: 'dense' };
  const attention =
    a.kind === 'dense'
      ? 'dense'
      : a.kind === 'block-topk'
        ? `block top-K (B=${a.blockSize}, K=${a.topK})`
        : `LLSA (B=${a.blockSize}, K=${a.topK}, L=${a.levels})`;
  return (s.mergeRatio ?? 0) > 0 ? `${attention}, merge ratio ${s.mergeRatio}` : attention;
}

/** Whether a MaskGIT run can be compared with dense attention: it finished, with a sparse attention
 *  or token merging. */
export function canCompareDense(run: ImageRun): boolean {
  return (
    run.info !== null &&
    run.info.sampler === 'maskgit' &&
    run.done &&
    run.error === null &&
    !isDenseRun(run.info.settings)
  );
}

/** A run with sparse attention or merging against the dense run of the same settings and seed: the
 *  logits' deviation of one forward on the same grid, the tokens whose final codes differ, and the
 *  median step times (the median leaves out the run's first step, which compiles its pipelines). */
export function compareImageDense(
  run: ReadonlyArray<Pick<ImageStepView, 'tokens' | 'ms'>>,
  dense: ReadonlyArray<Pick<ImageStepView, 'tokens' | 'ms'>>,
  deviation: AttentionDeviation,
): ImageDenseReport {
  const a = run.at(-1)?.tokens ?? new Int32Array(0);
  const b = dense.at(-1)?.tokens ?? new Int32Array(0);
  let different = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) different++;
  const msPerStep = median(run.map((s) => s.ms));
  const denseMsPerStep = median(dense.map((s) => s.ms));
  return {
    relL2: deviation.relL2,
    maxAbs: deviation.maxAbs,
    different,
    total: a.length,
    steps: run.length,
    msPerStep,
    denseMsPerStep,
    speedup: msPerStep > 0 ? denseMsPerStep / msPerStep : NaN,
  };
}

/** The class to preselect from a list: the current one if listed, else DEFAULT_CLASS, else the first. */
export function pickClass(current: string, classes: readonly string[]): string {
  if (classes.includes(current)) return current;
  if (classes.includes(DEFAULT_CLASS)) return DEFAULT_CLASS;
  return classes[0] ?? '';
}

export const createImageSlice: SliceCreator<ImageSlice> = (set) => {
  const patch = (f: (d: ImageState) => Partial<ImageState>) => set((s) => ({ image: { ...s.image, ...f(s.image) } }));
  const patchRun = (d: ImageState, model: ImageModelId, p: Partial<ImageRun>) => ({
    runs: { ...d.runs, [model]: { ...d.runs[model], ...p } },
  });
  return {
    image: initialImage,
    imageFormChanged: (p) => patch((d) => ({ form: { ...d.form, ...p } })),
    imageRunChanged: (model, p) => patch((d) => patchRun(d, model, p)),
    imageRunStarted: (model, info) =>
      patch((d) => ({
        ...patchRun(d, model, { info, steps: [], done: false, error: null }),
        selected: 0,
        depth: Math.min(Math.max(1, d.depth), info.grid.depths),
        // A comparison belongs to the run it compared.
        denseCompare: info.sampler === 'maskgit' ? initialImageDenseCompare : d.denseCompare,
      })),
    imageStepAdded: (model, step) =>
      patch((d) => {
        const next = { ...d, ...patchRun(d, model, { steps: [...d.runs[model].steps, step], done: step.done }) };
        // The view follows the newest snapshot while steps are computed.
        return { runs: next.runs, selected: imageTimelineLength(next) };
      }),
    imageSelect: (k) => patch((d) => ({ selected: Math.max(0, Math.min(imageTimelineLength(d), Math.round(k))) })),
    imageDepth: (depth) => patch(() => ({ depth: Math.max(1, Math.round(depth)) })),
    imageColouring: (colouring) => patch(() => ({ colouring })),
    imageSideBySide: (on) => patch(() => ({ sideBySide: on })),
    imageBusy: (busy) => patch(() => ({ busy })),
    imageRunning: (running) => patch(() => ({ running, pauseRequested: false })),
    // Nothing to pause when no run is going: the state stays as it is (no update for subscribers).
    imagePauseRequested: () =>
      set((s) => (s.image.running && !s.image.pauseRequested ? { image: { ...s.image, pauseRequested: true } } : s)),
    imagePlaying: (playing) => patch(() => ({ playing })),
    imageFailed: (error) => patch(() => ({ error })),
    imageDecoded: (key, image) => patch((d) => ({ decoded: { ...d.decoded, [key]: image } })),
    imageDenseCompareChanged: (p) => patch((d) => ({ denseCompare: { ...d.denseCompare, ...p } })),
    imageCleared: () =>
      patch((d) => {
        const runs = { ...d.runs };
        for (const m of Object.keys(runs) as ImageModelId[]) {
          // A failed load is retried at the next start; a failed run is forgotten with it.
          const failedLoad = runs[m].status === 'error';
          runs[m] = {
            ...runs[m],
            info: null,
            steps: [],
            done: false,
            error: failedLoad ? runs[m].error : null,
          };
        }
        return {
          runs,
          selected: 0,
          busy: false,
          running: false,
          pauseRequested: false,
          playing: false,
          error: null,
          decoded: {},
          denseCompare: initialImageDenseCompare,
        };
      }),
  };
};
