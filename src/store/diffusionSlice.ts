// Masked-diffusion text generation as the step view shows it: the sampler settings form (kept as
// typed text, so an invalid entry can be shown with its message), the session's starting sequence and
// every step snapshot (the timeline scrubs over them without recomputing), and an optional
// autoregressive companion run on the same prompt for the side-by-side mode. The attention setting
// (dense, block top-K, LLSA) and the token-merge ratio apply to every forward of a run; a finished
// run can then be compared with a cache-free run (cache) or with dense attention (attention, merging).

import type {
  AttentionDeviation,
  AttentionKind,
  AttentionSetting,
  DiffusionSamplerName,
  DiffusionSessionInfo,
  DiffusionSettings,
  DiffusionStepView,
  ErrorData,
  TextSessionInfo,
  TextStep,
} from '../engine/api.ts';
import { isWhole, parseNumber, seedError } from './textSlice.ts';
import type { SliceCreator } from './types.ts';
import { median } from '../shared/median.ts';

export type DiffusionCache = NonNullable<DiffusionSettings['cache']>;
export type Remasking = NonNullable<DiffusionSettings['remasking']>;

export interface DiffusionForm {
  sampler: DiffusionSamplerName;
  prompt: string;
  length: string;
  steps: string;
  blockLength: string; // empty: one block
  threshold: string;
  remasking: Remasking;
  temperature: string;
  seed: string;
  cache: DiffusionCache;
  attention: AttentionKind;
  blockSize: string; // block-topk, llsa: tokens per block
  topKBlocks: string; // block-topk, llsa: blocks kept per query block
  levels: string; // llsa
  mergeRatio: string; // token merging, 0 = off
}

export type DiffusionFormErrors = Partial<Record<keyof DiffusionForm, string>>;

/** Which settings each sampler reads. */
export const SAMPLER_FIELDS: Record<DiffusionSamplerName, ReadonlyArray<keyof DiffusionForm>> = {
  mdlm: ['steps'],
  llada: ['steps', 'blockLength', 'remasking', 'temperature'],
  threshold: ['blockLength', 'threshold', 'temperature'],
};

/** Which attention settings each attention kind reads. */
export const ATTENTION_FIELDS: Record<AttentionKind, ReadonlyArray<keyof DiffusionForm>> = {
  dense: [],
  'block-topk': ['blockSize', 'topKBlocks'],
  llsa: ['blockSize', 'topKBlocks', 'levels'],
};

/** The largest token-merge ratio (tomesd: one token of every 4 stays). */
export const MAX_MERGE_RATIO = 0.75;

/** The autoregressive model run next to the diffusion model in the side-by-side mode. */
export const COMPANION_MODEL = 'brown-gpt2';

export interface CompanionState {
  status: 'off' | 'loading' | 'ready' | 'error';
  handle: string | null;
  info: TextSessionInfo | null;
  steps: TextStep[];
  done: boolean;
  ms: number; // wall time of all its steps
  error: ErrorData | null;
}

/** A finished cached run compared with the same settings without a cache. */
export interface CompareReport {
  cachedMs: number; // sum of the cached run's steps' ms
  uncachedMs: number;
  speedup: number; // uncachedMs / cachedMs
  identical: number; // generated positions with the same token in both final sequences
  total: number; // generated positions
}

export interface CompareState {
  status: 'idle' | 'running' | 'done' | 'error';
  step: number; // uncached steps computed so far
  report: CompareReport | null;
  error: ErrorData | null;
}

/** A finished run with sparse attention or token merging against the dense run of the same settings. */
export interface DenseCompareReport {
  relL2: number; // logits on the starting sequence, relative L2 against dense
  textRelL2: number; // logits on the dense run's final sequence, relative L2 against dense
  paddedTo: number; // tokens the model ran on ([MASK] padding to a multiple of B^L)
  different: number; // generated positions holding another token than in the dense run
  total: number; // generated positions
  msPerStep: number; // median step time of the run
  denseMsPerStep: number; // median step time of the dense run
  speedup: number; // denseMsPerStep / msPerStep
}

export interface DenseCompareState {
  status: 'idle' | 'running' | 'done' | 'error';
  step: number; // dense steps computed so far
  report: DenseCompareReport | null;
  error: ErrorData | null;
}

export interface DiffusionState {
  handle: string | null; // the model the session belongs to
  form: DiffusionForm;
  info: DiffusionSessionInfo | null;
  steps: DiffusionStepView[]; // steps[i].step === i + 1
  selected: number; // the step shown: 0 = the starting sequence
  done: boolean;
  busy: boolean;
  running: boolean;
  pauseRequested: boolean;
  error: ErrorData | null;
  /** Decoded text of every token id seen so far (committed tokens), for the candidates' labels. */
  pieces: Record<number, string>;
  sideBySide: boolean;
  companion: CompanionState;
  compare: CompareState;
  denseCompare: DenseCompareState;
}

export interface DiffusionSlice {
  diffusion: DiffusionState;
  diffusionFormChanged(patch: Partial<DiffusionForm>): void;
  diffusionStarted(handle: string, info: DiffusionSessionInfo): void;
  diffusionStepAdded(step: DiffusionStepView): void;
  diffusionDone(): void;
  diffusionSelect(step: number): void;
  diffusionBusy(busy: boolean): void;
  diffusionRunning(running: boolean): void;
  diffusionPauseRequested(): void;
  diffusionFailed(error: ErrorData | null): void;
  diffusionCleared(): void;
  diffusionSideBySide(on: boolean): void;
  companionChanged(patch: Partial<CompanionState>): void;
  companionStepAdded(step: TextStep): void;
  compareChanged(patch: Partial<CompareState>): void;
  denseCompareChanged(patch: Partial<DenseCompareState>): void;
}

export const initialDiffusionForm: DiffusionForm = {
  sampler: 'llada',
  prompt: '',
  length: '32',
  steps: '16',
  blockLength: '8',
  threshold: '0.9',
  remasking: 'low_confidence',
  temperature: '0',
  seed: '1',
  cache: 'none',
  attention: 'dense',
  blockSize: '16',
  topKBlocks: '8',
  levels: '1',
  mergeRatio: '0',
};

export const initialCompanion: CompanionState = {
  status: 'off',
  handle: null,
  info: null,
  steps: [],
  done: false,
  ms: 0,
  error: null,
};

export const initialCompare: CompareState = { status: 'idle', step: 0, report: null, error: null };
export const initialDenseCompare: DenseCompareState = { status: 'idle', step: 0, report: null, error: null };

export const initialDiffusion: DiffusionState = {
  handle: null,
  form: initialDiffusionForm,
  info: null,
  steps: [],
  selected: 0,
  done: false,
  busy: false,
  running: false,
  pauseRequested: false,
  error: null,
  pieces: {},
  sideBySide: false,
  companion: initialCompanion,
  compare: initialCompare,
  denseCompare: initialDenseCompare,
};

export const MASK_TEXT = '[MASK]';

/** [MASK] tokens written in the prompt (they are infilled too). */
export function promptMasks(prompt: string): number {
  return prompt.split(MASK_TEXT).length - 1;
}

/** The form's settings, or the message for each field that is not valid. The engine checks again
 *  with the tokenized prompt (e.g. the context length); its message then shows as the run's error. */
export function validateDiffusionForm(form: DiffusionForm): {
  settings: DiffusionSettings | null;
  errors: DiffusionFormErrors;
} {
  const errors: DiffusionFormErrors = {};
  const uses = new Set(SAMPLER_FIELDS[form.sampler]);
  const length = parseNumber(form.length);
  const steps = parseNumber(form.steps);
  const block = form.blockLength.trim() === '' ? undefined : parseNumber(form.blockLength);
  const threshold = parseNumber(form.threshold);
  const temperature = parseNumber(form.temperature);
  const seed = parseNumber(form.seed);
  const inPrompt = promptMasks(form.prompt);

  if (!isWhole(length, 0, 4096)) errors.length = 'Length must be a whole number from 0 to 4096.';
  else if (length === 0 && inPrompt === 0) errors.length = 'Length must be ≥ 1 unless the prompt has [MASK] tokens.';
  const masked = (isWhole(length, 0) ? length : 0) + inPrompt;

  let blocks = 1;
  if (uses.has('blockLength') && block !== undefined) {
    if (!isWhole(block, 1)) errors.blockLength = 'Block length must be a whole number ≥ 1, or empty for one block.';
    else if (inPrompt === 0 && !errors.length && length % block !== 0)
      errors.blockLength = `Block length must divide the length (${length}).`;
    else if (inPrompt === 0 && !errors.length) blocks = length / block;
  }
  if (uses.has('steps')) {
    if (!isWhole(steps, 1)) errors.steps = 'Steps must be a whole number ≥ 1.';
    else if (!errors.length && steps > masked) errors.steps = `At most one step per masked token: ${masked} here.`;
    else if (form.sampler === 'llada' && !errors.blockLength && steps % blocks !== 0)
      errors.steps = `Steps must be a multiple of the number of blocks (${blocks}).`;
  }
  if (uses.has('threshold') && !(threshold > 0 && threshold <= 1)) errors.threshold = 'Threshold must be in (0, 1].';
  if (uses.has('temperature') && !(temperature >= 0 && temperature <= 100))
    errors.temperature = 'Temperature must be from 0 (argmax) to 100.';
  const seedMessage = seedError(form.seed);
  if (seedMessage) errors.seed = seedMessage;
  if (form.sampler === 'mdlm' && (form.cache === 'prefix' || form.cache === 'dual'))
    errors.cache = `The ${form.cache} cache needs semi-autoregressive blocks: use llada or threshold, or dkv.`;
  const attention = validateAttention(form, errors);
  if (Object.keys(errors).length > 0) return { settings: null, errors };

  const settings: DiffusionSettings = {
    sampler: form.sampler,
    prompt: form.prompt,
    length,
    steps: uses.has('steps') ? steps : 1,
    temperature: uses.has('temperature') ? temperature : 0,
    seed,
    cache: form.cache,
  };
  if (uses.has('blockLength') && block !== undefined) settings.blockLength = block;
  if (uses.has('threshold')) settings.threshold = threshold;
  if (uses.has('remasking')) settings.remasking = form.remasking;
  if (attention.attention.kind !== 'dense') settings.attention = attention.attention;
  if (attention.mergeRatio > 0) settings.mergeRatio = attention.mergeRatio;
  return { settings, errors };
}

/** The attention fields: messages into `errors`, and the setting they describe (when valid). The
 *  engine checks again against the sequence (e.g. padding past the model's context). */
function validateAttention(
  form: DiffusionForm,
  errors: DiffusionFormErrors,
): { attention: AttentionSetting; mergeRatio: number } {
  const uses = new Set(ATTENTION_FIELDS[form.attention]);
  const blockSize = parseNumber(form.blockSize);
  const topK = parseNumber(form.topKBlocks);
  const levels = parseNumber(form.levels);
  const mergeRatio = parseNumber(form.mergeRatio);
  if (uses.has('blockSize') && !(isWhole(blockSize, 2) && (blockSize & (blockSize - 1)) === 0))
    errors.blockSize = 'Block size must be a power of two ≥ 2 (2, 4, 8, 16 …).';
  if (uses.has('topKBlocks') && !isWhole(topK, 1)) errors.topKBlocks = 'Top-K blocks must be a whole number ≥ 1.';
  if (uses.has('levels') && !isWhole(levels, 1, 8)) errors.levels = 'Levels must be a whole number from 1 to 8.';
  if (!(mergeRatio >= 0 && mergeRatio <= MAX_MERGE_RATIO))
    errors.mergeRatio = `Merge ratio must be from 0 (off) to ${MAX_MERGE_RATIO}.`;
  else if (mergeRatio > 0 && form.attention !== 'dense')
    errors.mergeRatio = 'Token merging runs with dense attention only: set the ratio to 0 or the attention to dense.';
  if ((form.attention !== 'dense' || mergeRatio > 0) && form.cache !== 'none')
    errors.cache ??= 'Caches run with dense attention only, without token merging.';
  const attention: AttentionSetting =
    form.attention === 'dense'
      ? { kind: 'dense' }
      : form.attention === 'block-topk'
        ? { kind: 'block-topk', blockSize, topK }
        : { kind: 'llsa', blockSize, topK, levels };
  return { attention, mergeRatio };
}

/** Whether a run's settings are the trained model's (dense attention, no merging). */
export function isDenseRun(s: Pick<DiffusionSettings, 'attention' | 'mergeRatio'>): boolean {
  return (s.attention?.kind ?? 'dense') === 'dense' && (s.mergeRatio ?? 0) === 0;
}

/** The sequence at step `k` (0 = the starting one). */
export function tokensAt(d: DiffusionState, k: number): ArrayLike<number> {
  return k > 0 ? d.steps[k - 1].tokens : (d.info?.tokens ?? []);
}

/** Speed-up and agreement of a cached run with the uncached run of the same settings: the total
 *  step times, and how many generated positions (masked at the start) hold the same token at the end. */
export function compareRuns(
  start: ArrayLike<number>,
  maskTokenId: number,
  cached: ReadonlyArray<Pick<DiffusionStepView, 'tokens' | 'ms'>>,
  uncached: ReadonlyArray<Pick<DiffusionStepView, 'tokens' | 'ms'>>,
): CompareReport {
  const cachedMs = cached.reduce((n, s) => n + s.ms, 0);
  const uncachedMs = uncached.reduce((n, s) => n + s.ms, 0);
  const a = cached.at(-1)?.tokens ?? start;
  const b = uncached.at(-1)?.tokens ?? start;
  let identical = 0;
  let total = 0;
  for (let i = 0; i < start.length; i++) {
    if (start[i] !== maskTokenId) continue;
    total++;
    if (a[i] === b[i]) identical++;
  }
  return { cachedMs, uncachedMs, speedup: cachedMs > 0 ? uncachedMs / cachedMs : NaN, identical, total };
}

/** A run with sparse attention or merging against the dense run of the same settings: the logits'
 *  deviation on the same inputs, the generated positions whose final tokens differ, and the median
 *  step times (the median leaves out each run's first step, which compiles its new pipelines). */
export function compareDense(
  start: ArrayLike<number>,
  maskTokenId: number,
  run: ReadonlyArray<Pick<DiffusionStepView, 'tokens' | 'ms'>>,
  dense: ReadonlyArray<Pick<DiffusionStepView, 'tokens' | 'ms'>>,
  deviation: { start: AttentionDeviation; text: AttentionDeviation },
): DenseCompareReport {
  const a = run.at(-1)?.tokens ?? start;
  const b = dense.at(-1)?.tokens ?? start;
  let different = 0;
  let total = 0;
  for (let i = 0; i < start.length; i++) {
    if (start[i] !== maskTokenId) continue;
    total++;
    if (a[i] !== b[i]) different++;
  }
  const msPerStep = median(run.map((s) => s.ms));
  const denseMsPerStep = median(dense.map((s) => s.ms));
  return {
    relL2: deviation.start.relL2,
    textRelL2: deviation.text.relL2,
    paddedTo: deviation.start.paddedTo,
    different,
    total,
    msPerStep,
    denseMsPerStep,
    speedup: msPerStep > 0 ? denseMsPerStep / msPerStep : NaN,
  };
}

function withPieces(into: Record<number, string>, ids: ArrayLike<number>, pieces: string[]): Record<number, string> {
  let out = into;
  for (let i = 0; i < ids.length; i++) {
    if (out[ids[i]] === undefined) {
      if (out === into) out = { ...into };
      out[ids[i]] = pieces[i];
    }
  }
  return out;
}

export const createDiffusionSlice: SliceCreator<DiffusionSlice> = (set) => {
  const patch = (f: (d: DiffusionState) => Partial<DiffusionState>) =>
    set((s) => ({ diffusion: { ...s.diffusion, ...f(s.diffusion) } }));
  return {
    diffusion: initialDiffusion,
    diffusionFormChanged: (p) => patch((d) => ({ form: { ...d.form, ...p } })),
    diffusionStarted: (handle, info) =>
      patch((d) => ({
        handle,
        info,
        steps: [],
        selected: 0,
        done: false,
        error: null,
        pauseRequested: false,
        // Token pieces belong to a tokenizer: start again with another model.
        pieces: withPieces(d.handle === handle ? d.pieces : {}, info.tokens, info.pieces),
        companion: { ...d.companion, info: null, steps: [], done: false, ms: 0, error: null },
        compare: initialCompare,
        denseCompare: initialDenseCompare,
      })),
    diffusionStepAdded: (step) =>
      patch((d) => ({
        steps: [...d.steps, step],
        selected: step.step,
        done: step.done,
        pieces: withPieces(d.pieces, step.tokens, step.pieces),
      })),
    diffusionDone: () => patch(() => ({ done: true })),
    diffusionSelect: (k) => patch((d) => ({ selected: Math.max(0, Math.min(d.steps.length, Math.round(k))) })),
    diffusionBusy: (busy) => patch(() => ({ busy })),
    diffusionRunning: (running) => patch(() => ({ running, pauseRequested: false })),
    diffusionPauseRequested: () => patch((d) => (d.running ? { pauseRequested: true } : {})),
    diffusionFailed: (error) => patch(() => ({ error })),
    diffusionCleared: () =>
      patch((d) => ({
        ...initialDiffusion,
        form: d.form,
        pieces: d.pieces,
        sideBySide: d.sideBySide,
        companion: { ...d.companion, info: null, steps: [], done: false, ms: 0, error: null },
        compare: initialCompare,
        denseCompare: initialDenseCompare,
      })),
    diffusionSideBySide: (on) => patch(() => ({ sideBySide: on })),
    companionChanged: (p) => patch((d) => ({ companion: { ...d.companion, ...p } })),
    companionStepAdded: (step) =>
      patch((d) => ({
        companion: {
          ...d.companion,
          steps: [...d.companion.steps, step],
          done: step.stop !== null,
          ms: d.companion.ms + step.ms,
        },
      })),
    compareChanged: (p) => patch((d) => ({ compare: { ...d.compare, ...p } })),
    denseCompareChanged: (p) => patch((d) => ({ denseCompare: { ...d.denseCompare, ...p } })),
  };
};
