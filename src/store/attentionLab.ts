// The attention lab's store: the settings form (kept as typed text or choices, so an invalid entry can
// be shown with its message), the run in flight and its result, and what the view derives from it —
// the blocks the chosen query block selected at every level. The engine returns every query block's
// selections, so choosing another query block (a click on the map) needs no new run. The 'model'
// input captures Q/K/V from the page's model when it is a masked-diffusion one: its blocks, heads,
// head size and context come from the loaded model's config.

import type {
  AdapterClass,
  AttentionLabInput,
  AttentionLabRequest,
  AttentionLabResult,
  ErrorData,
  LoadedModelInfo,
} from '../engine/api.ts';
import { isWhole, parseNumber, seedError } from './textSlice.ts';
import type { SliceCreator } from './types.ts';

export interface AttentionLabForm {
  n: string; // tokens
  headDim: string;
  block: string; // B
  topk: string; // K
  levels: string; // LLSA's L
  input: AttentionLabInput;
  layer: string; // the model input's block
  head: string; // and head
  text: string; // and text (empty: the engine's default sentence)
  queryBlock: string;
  seed: string;
  tomeRatio: string;
}

/** A loaded masked-diffusion model, as the 'model' input needs it. */
export interface LabModelInfo {
  handle: string;
  source: string;
  layers: number; // n_blocks
  heads: number; // n_heads
  headDim: number; // hidden_dim / n_heads
  context: number; // model_length
}

/** The page's model as a source of the 'model' input, or null when it is none (not loaded, or not a
 *  masked-diffusion model: the mdlm architecture is the one whose forward can capture Q/K/V). */
export function labModelOf(model: LoadedModelInfo | null): LabModelInfo | null {
  if (!model || model.modelType !== 'mdlm') return null;
  const { n_blocks: layers, n_heads: heads, hidden_dim: hidden, model_length: context } = model.config;
  if (typeof layers !== 'number' || typeof heads !== 'number' || typeof hidden !== 'number') return null;
  if (typeof context !== 'number') return null;
  return { handle: model.handle, source: model.source, layers, heads, headDim: hidden / heads, context };
}

export type AttentionLabFormErrors = Partial<Record<keyof AttentionLabForm, string>>;

export interface AttentionLabState {
  form: AttentionLabForm;
  running: boolean;
  result: AttentionLabResult | null;
  error: ErrorData | null;
}

export interface AttentionLabSlice {
  attentionLab: AttentionLabState;
  labFormChanged(patch: Partial<AttentionLabForm>): void;
  labStarted(): void;
  labFinished(result: AttentionLabResult): void;
  labFailed(error: ErrorData): void;
}

/** Token counts offered: up to 16,384 on every adapter (dense attention takes minutes there on a
 *  CPU adapter), and up to 262,144 on a GPU (the engine's limits). The model input: powers of two
 *  from 32 up to the model's context, and the context itself. */
export function labTokenChoices(adapterClass: AdapterClass, model: LabModelInfo | null = null): number[] {
  const max = adapterClass === 'gpu' ? 262_144 : 16_384;
  const out: number[] = [];
  if (model) {
    for (let n = MODEL_MIN_TOKENS; n < model.context && n <= max; n *= 2) out.push(n);
    if (model.context <= max) out.push(model.context);
    return out;
  }
  for (let n = 256; n <= max; n *= 2) out.push(n);
  return out;
}

export const LAB_HEAD_DIMS = [16, 32, 64, 128, 256];
export const LAB_BLOCKS = [2, 4, 8, 16, 32, 64];
export const LAB_MAX_RATIO = 0.75;
const MAX_LEVELS = 8; // the LLSA kernel's LLSA_MAX_LEVELS
const MAX_TOPK = 64; // the select kernel's SPARSE_MAX_TOPK
const MODEL_MIN_TOKENS = 32; // the model input's smallest N

/** The levels N and B allow: the largest L ≤ 8 with N a multiple of B^L. */
export function labMaxLevels(n: number, block: number): number {
  let levels = 0;
  while (levels < MAX_LEVELS && n % block ** (levels + 1) === 0) levels++;
  return levels;
}

/** The paper's level count: L = ⌊log_B N⌋ − 1, at least 1, so selection is dense only among B … B²
 *  tokens at the top. */
export function paperLevels(n: number, block: number): number {
  let levels = 0;
  while (block ** (levels + 2) <= n) levels++;
  return Math.max(1, Math.min(levels, labMaxLevels(n, block)));
}

export const initialLabForm: AttentionLabForm = {
  n: '1024',
  headDim: '64',
  block: '16',
  topk: '8',
  levels: '1',
  input: 'smooth',
  layer: '0',
  head: '0',
  text: '',
  queryBlock: '0',
  seed: '1',
  tomeRatio: '0.5',
};

export const initialAttentionLab: AttentionLabState = {
  form: initialLabForm,
  running: false,
  result: null,
  error: null,
};

/** The request the form describes, or the message for each field that is not valid (the engine
 *  checks again, against the adapter's limits and the model). `model`: the page's model as a source
 *  of the model input (labModelOf). */
export function validateLabForm(
  form: AttentionLabForm,
  adapterClass: AdapterClass,
  model: LabModelInfo | null = null,
): { request: AttentionLabRequest | null; errors: AttentionLabFormErrors } {
  const errors: AttentionLabFormErrors = {};
  const fromModel = form.input === 'model';
  const n = parseNumber(form.n);
  // The model input runs with the model's head size.
  const headDim = fromModel && model ? model.headDim : parseNumber(form.headDim);
  const layer = parseNumber(form.layer);
  const head = parseNumber(form.head);
  const block = parseNumber(form.block);
  const topk = parseNumber(form.topk);
  const levels = parseNumber(form.levels);
  const queryBlock = parseNumber(form.queryBlock);
  const seed = parseNumber(form.seed);
  const tomeRatio = parseNumber(form.tomeRatio);
  if (fromModel && !model) {
    errors.input = 'Load a masked-diffusion model (e.g. brown-mdlm) to capture Q/K/V from it.';
  }
  const choices = labTokenChoices(adapterClass, fromModel ? model : null);
  if (!choices.includes(n)) {
    errors.n = `Tokens must be one of ${choices.join(', ')}${fromModel && model ? ` (${model.source}'s context is ${model.context})` : ''}.`;
  }
  if (!fromModel && !LAB_HEAD_DIMS.includes(headDim)) {
    errors.headDim = `Head size must be one of ${LAB_HEAD_DIMS.join(', ')}.`;
  }
  if (fromModel && model) {
    if (!isWhole(layer, 0, model.layers - 1)) errors.layer = `Layer must be 0 to ${model.layers - 1}.`;
    if (!isWhole(head, 0, model.heads - 1)) errors.head = `Head must be 0 to ${model.heads - 1}.`;
  }
  if (!LAB_BLOCKS.includes(block)) errors.block = `Block size must be one of ${LAB_BLOCKS.join(', ')}.`;
  if (!isWhole(topk, 1, MAX_TOPK)) errors.topk = `Top-K must be a whole number from 1 to ${MAX_TOPK}.`;
  if (!errors.n && !errors.block) {
    const max = labMaxLevels(n, block);
    if (!isWhole(levels, 1, max)) errors.levels = `Levels must be 1 to ${max} for N = ${n} and B = ${block}.`;
    if (!isWhole(queryBlock, 0, n / block - 1)) {
      errors.queryBlock = `Query block must be a whole number from 0 to ${n / block - 1}.`;
    }
  }
  const seedMessage = seedError(form.seed);
  if (seedMessage) errors.seed = seedMessage;
  if (!(tomeRatio >= 0 && tomeRatio <= LAB_MAX_RATIO)) errors.tomeRatio = `Merge ratio must be 0 to ${LAB_MAX_RATIO}.`;
  if (Object.keys(errors).length > 0) return { request: null, errors };
  const request: AttentionLabRequest = {
    n,
    headDim,
    block,
    topk,
    levels,
    input: form.input,
    queryBlock,
    seed,
    tomeRatio,
  };
  if (fromModel && model) {
    const text = form.text.trim();
    request.model = { handle: model.handle, layer, head, ...(text ? { text } : {}) };
  }
  return { request, errors };
}

/** One level of the selected-block map for one query block. */
export interface LabLevelMap {
  name: string; // e.g. "LLSA level 2" or "Block top-K"
  level: number;
  blocks: number;
  blockTokens: number; // input tokens one block pools, B^l
  layout: AttentionLabResult['llsaSelection'][number]['layout'];
  query: number; // the query block's token at this level
  selected: number[]; // what it kept, best first
  candidates: number[] | null; // what it chose among; null: every block of the level
}

/** The query block shown: the form's, when valid for this result, else the one the run was given. */
export function shownQueryBlock(form: AttentionLabForm, result: AttentionLabResult): number {
  const q = parseNumber(form.queryBlock);
  return isWhole(q, 0, result.request.n / result.request.block - 1) ? q : result.request.queryBlock;
}

/** The maps of query block `queryBlock` (a block of B tokens): block top-K's, then LLSA's levels
 *  from the finest (1) to the coarsest (L). */
export function labBlockMaps(result: AttentionLabResult, queryBlock: number): LabLevelMap[] {
  const { block } = result.request;
  const picks = (sel: AttentionLabResult['blockTopkSelection'], row: number) =>
    Array.from(sel.selected.subarray(row * sel.k, (row + 1) * sel.k));
  const levels = result.llsaSelection;
  const top = levels.length;
  const llsaMaps = levels.map((sel): LabLevelMap => {
    const query = Math.floor(queryBlock / block ** (sel.level - 1));
    // Below the top, the level chose among the B children of each of its parent's picks.
    const candidates =
      sel.level === top
        ? null
        : picks(levels[sel.level], Math.floor(query / block)).flatMap((p) =>
            Array.from({ length: block }, (_, c) => p * block + c),
          );
    return {
      name: `LLSA level ${sel.level}`,
      level: sel.level,
      blocks: sel.blocks,
      blockTokens: block ** sel.level,
      layout: sel.layout,
      query,
      selected: picks(sel, query),
      candidates,
    };
  });
  const bt = result.blockTopkSelection;
  return [
    {
      name: 'Block top-K',
      level: 1,
      blocks: bt.blocks,
      blockTokens: block,
      layout: bt.layout,
      query: queryBlock,
      selected: picks(bt, queryBlock),
      candidates: null,
    },
    ...llsaMaps,
  ];
}

export const createAttentionLabSlice: SliceCreator<AttentionLabSlice> = (set) => ({
  attentionLab: initialAttentionLab,
  labFormChanged: (patch) =>
    set((s) => {
      const form = { ...s.attentionLab.form, ...patch };
      // Choosing the model input picks the largest N the model takes when the one set is too large.
      const model = labModelOf(s.model);
      if (patch.input === 'model' && model) {
        const choices = labTokenChoices(s.adapter.info?.adapter.adapterClass ?? 'cpu', model);
        if (!choices.includes(parseNumber(form.n)) && choices.length > 0) form.n = String(choices[choices.length - 1]);
      }
      // A new N or B keeps the levels and the query block inside what they allow.
      if (form.n !== s.attentionLab.form.n || form.block !== s.attentionLab.form.block) {
        const n = parseNumber(form.n);
        const block = parseNumber(form.block);
        if (Number.isInteger(n) && LAB_BLOCKS.includes(block) && n % block === 0) {
          const max = labMaxLevels(n, block);
          if (parseNumber(form.levels) > max) form.levels = String(max);
          if (parseNumber(form.queryBlock) >= n / block) form.queryBlock = String(n / block - 1);
        }
      }
      return { attentionLab: { ...s.attentionLab, form } };
    }),
  labStarted: () => set((s) => ({ attentionLab: { ...s.attentionLab, running: true, error: null } })),
  labFinished: (result) => set((s) => ({ attentionLab: { ...s.attentionLab, running: false, result } })),
  labFailed: (error) => set((s) => ({ attentionLab: { ...s.attentionLab, running: false, error } })),
});
