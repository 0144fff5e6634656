// The engine's interface and the plain-data types that cross the worker boundary. Types only: the
// store and the UI import this file and nothing else of the engine.

import type { AdapterSummary } from '../gpu/adapter.ts';
import type { KernelTiming, TimingSource } from '../gpu/profiler.ts';
import type { AttentionSetting } from '../models/attentionMode.ts';

export type { AdapterClass, AdapterSummary, KeyLimits } from '../gpu/adapter.ts';
export type { AttentionKind, AttentionSetting } from '../models/attentionMode.ts';
export type { KernelTiming, TimingSource } from '../gpu/profiler.ts';
export type { ErrorCode, ErrorData } from '../shared/errors.ts';

export interface EngineInfo {
  adapter: AdapterSummary;
  timingSource: TimingSource; // how kernel times are measured on this adapter
  variants: Record<string, string>; // kernel family → variant chosen for this adapter class
}

/** One row of the self-test table. */
export interface SelftestRow {
  name: string; // kernel and case, e.g. "matmul+bias"
  pass: boolean;
  maxAbsErr: number; // against the float64 reference
  tolerance: number; // what the check allowed
  ms: number; // kernel wall time
  shape: string; // inputs, e.g. "M=67 K=129 N=33"
}

export interface SelftestReport {
  adapter: AdapterSummary;
  kernels: SelftestRow[];
}

export interface SelftestOptions {
  seed?: number; // random inputs; default 1
  only?: string[]; // run only checks whose name starts with one of these
}

export type SelftestProgress = (row: SelftestRow, index: number, total: number) => void;

// ---- models ------------------------------------------------------------------------------------

/** Files a person picked or dropped (a folder, or several files); paths are relative to the folder. */
export interface LocalFiles {
  kind: 'files';
  name: string; // how to call the folder in messages, e.g. "brown-gpt2 (dropped)"
  files: Array<{ path: string; file: Blob }>;
}

/** Where a model comes from: a shipped id, a URL, a Hugging Face id (a folder path in Node), or files. */
export type ModelSource = string | LocalFiles;

export interface FileProgress {
  file: string;
  loaded: number; // bytes
  total: number | null;
  bytesPerSecond: number;
  etaSeconds: number | null;
  done: boolean;
}

export interface LoadProgress {
  files: FileProgress[]; // every file seen so far, in order
  loaded: number; // bytes over all files
  total: number | null; // null while a size is unknown
  bytesPerSecond: number;
  etaSeconds: number | null;
  done: boolean;
}

export type LoadProgressCallback = (p: LoadProgress) => void;

export interface CachedModelRow {
  source: string;
  revision: string;
  bytes: number;
  files: number;
  complete: boolean; // false: an interrupted download left pieces (deleting it frees them)
  storedAt: number | null; // ms since the epoch
}

export interface StorageState {
  persisted: boolean | null; // null: the browser does not say
  usage: number | null; // bytes this origin uses
  quota: number | null; // bytes it may use
}

/** One tensor of a checkpoint as the inspector lists it. */
export interface TensorRow {
  name: string;
  dtype: string; // as stored: F32, F16, BF16 …
  shape: number[];
  bytes: number; // bytes in the file
  file: string; // the safetensors file (shard) that holds it
}

export interface ModelSummary {
  source: string; // what was asked for: a shipped id, a folder, a URL or a Hugging Face id
  modelType: string; // config.json model_type
  task: string; // stepwise.task, or what the architecture implies
  config: Record<string, string | number | boolean>; // the architecture's key fields, for display
  parameters: number; // elements over all tensors
  fileBytes: number; // bytes of tensor data in the checkpoint
  gpuBytes: number; // bytes the weights take on the GPU (f32)
  tensors: TensorRow[];
  warnings: string[]; // e.g. NaN / Inf found in a tensor
  classes?: string[]; // a class-conditional model's class names (stepwise.class_names), index = class id
}

/** A model loaded onto the GPU, addressed by `handle` in later calls. */
export interface LoadedModelInfo extends ModelSummary {
  handle: string;
}

export interface ForwardResult {
  shape: [number, number]; // [T, V]
  logits: Float32Array; // row-major [T, V], raw model output
}

// ---- autoregressive text sessions ----------------------------------------------------------------

export interface TextSettings {
  prompt: string; // empty: start from <|endoftext|>
  maxTokens: number; // tokens to generate at most
  temperature: number; // 0 = greedy
  topK: number; // ≥ 1; the vocabulary size or more = no limit
  topP: number; // 1 = no limit
  repetitionPenalty: number; // 1 = off
  seed: number;
}

export interface TextSessionInfo {
  id: string;
  model: string; // handle
  settings: TextSettings;
  promptTokens: number[]; // after truncation
  promptPieces: string[]; // decoded text of each prompt token
  promptText: string; // the prompt as used: the settings' prompt, or when it was cut to fit, the decoded tokens kept
  notices: string[]; // e.g. "prompt truncated from the left to 250 tokens"
  stepsBefore: number; // steps inherited from the session this one branched from
}

export interface Candidate {
  token: number;
  piece: string; // decoded text of the token
  p: number; // the model's probability
}

export interface TextStep {
  step: number; // 1-based
  token: number;
  piece: string;
  p: number; // the model's probability of the chosen token
  entropy: number; // nats
  top: Candidate[]; // 10 most likely
  text: string; // all generated text after this step
  stop: 'eos' | 'limit' | null;
  ms: number; // wall time of the step
  timings: KernelTiming[]; // per kernel
}

// ---- masked-diffusion text sessions ---------------------------------------------------------------

export type DiffusionSamplerName = 'mdlm' | 'llada' | 'threshold';

export interface DiffusionSettings {
  sampler: DiffusionSamplerName;
  prompt: string; // prefix text; [MASK] tokens inside it are infilled
  length: number; // masks appended after the prompt
  steps: number; // denoising steps (mdlm, llada); the threshold sampler takes as many as it needs
  blockLength?: number; // semi-autoregressive block length (llada, threshold); default: one block
  threshold?: number; // confidence threshold in (0, 1] (threshold sampler)
  remasking?: 'low_confidence' | 'random'; // llada's choice of what to commit (default low_confidence)
  temperature: number; // Gumbel noise on proposals (llada, threshold); 0 = argmax
  seed: number;
  cache?: 'none' | 'prefix' | 'dual' | 'dkv'; // caching across steps (see samplers/stepCache.ts)
  cacheRefresh?: number; // dkv: full refresh every this many steps (default 4)
  attention?: AttentionSetting; // dense (default), block top-K or LLSA; not with a cache
  mergeRatio?: number; // tokens merged per block (tomesd), 0 … 0.75; default 0 (off); dense attention only
}

/** One forward on the same tokens with an attention setting and with dense attention. */
export interface AttentionDeviation {
  relL2: number; // ‖logits − dense logits‖₂ / ‖dense logits‖₂ over every position
  maxAbs: number; // max |logits − dense logits|
  tokens: number; // T
  paddedTo: number; // tokens the blocks ran on: T, or the next multiple of B^L ([MASK] padding)
}

export interface DiffusionSessionInfo {
  id: string;
  model: string; // handle
  settings: DiffusionSettings;
  maskTokenId: number;
  tokens: number[]; // the starting sequence: prompt then masks
  pieces: string[]; // decoded text of each starting token ("[MASK]" for masks)
  notices: string[];
}

export interface DiffusionStepView {
  step: number; // 1-based
  tokens: Int32Array; // whole sequence after this step (the mask id where still masked)
  unmasked: number[]; // positions fixed at this step
  confidence: Float32Array; // per position, the model's probability of the token there (NaN if masked)
  topIds: Int32Array; // [T, 5] the model's most likely tokens per position at this step
  topProbs: Float32Array; // [T, 5]
  topPieces: string[]; // [T, 5] decoded text of topIds
  pieces: string[]; // decoded text per position
  forwards: number; // model evaluations in this step
  rows: number; // positions the model computed (fewer than the sequence with a step cache)
  done: boolean;
  ms: number;
  timings: KernelTiming[];
}

// ---- image-token sessions -------------------------------------------------------------------------

export type ImageSamplerName = 'maskgit' | 'ar';

export interface ImageSettings {
  className: string; // one of the model's class names (stepwise.class_names)
  steps: number; // maskgit: refinement steps, 1 … tokens; ar ignores it (one step per grid position)
  guidance: number; // classifier-free guidance g ≥ 0: logits = c + g · (c − u); 0 = conditional only
  temperature: number; // of the code distribution, > 0 (1 = the model's)
  choiceTemperature?: number; // maskgit: Gumbel noise on the confidences at the first step (default 4.5)
  topK?: number; // ar: draw among the k most likely codes (default: all)
  seed: number;
  attention?: AttentionSetting; // maskgit: dense (default), block top-K or LLSA over the grid
  mergeRatio?: number; // maskgit: tokens merged per block (tomesd), 0 … 0.75; default 0
}

/** The token grid of an RVQ image tokenizer. Sequence index = (y · width + x) · depths + depth. */
export interface ImageGrid {
  height: number; // latent rows
  width: number; // latent columns
  depths: number; // RVQ depths per position (0 = coarsest)
  codebookSize: number; // codes per depth; this id also means "masked"
}

export interface ImageSessionInfo {
  id: string;
  model: string; // handle of the generator
  sampler: ImageSamplerName;
  settings: ImageSettings;
  classes: string[]; // the generator's class names
  grid: ImageGrid;
  maskTokenId: number; // = grid.codebookSize
  tokenizer: string; // handle of the RVQ tokenizer that decodes the tokens (for decodeImage)
  totalSteps: number;
  schedule: number[]; // tokens fixed at each step
  notices: string[];
}

/** RGBA pixels, row-major. */
export interface DecodedImage {
  width: number;
  height: number;
  depths: number; // RVQ depths the image was decoded with
  rgba: Uint8ClampedArray; // [height, width, 4]
}

export interface ImageStepView {
  step: number; // 1-based
  tokens: Int32Array; // [P·D] after this step (the mask id where still masked)
  unmasked: number[]; // sequence indices fixed at this step
  confidence: Float32Array; // [P·D] probability of each token fixed at this step (NaN elsewhere)
  forwards: number; // model evaluations this step
  done: boolean;
  image: DecodedImage; // the tokens decoded with every depth
  ms: number; // wall time of the step (sampling; the decode is in decodeMs)
  decodeMs: number; // wall time of decoding `image`
  timings: KernelTiming[];
}

export interface MemoryState {
  weightBytes: number; // GPU buffers holding weights (every loaded model's, and any not yet released)
  weightBuffers: number; // how many such buffers are alive
  liveBytes: number; // pooled buffers in use (KV caches, activations in flight)
  pooledBytes: number; // pooled buffers kept for reuse
}

// ---- attention lab ------------------------------------------------------------------------------

/** The lab's inputs: smooth 2-D fields on a token grid in Morton order (neighbouring tokens alike, as
 *  in images), independent uniform values in [−1, 1), or one head's q, k (after RoPE) and v captured
 *  from a forward of a loaded masked-diffusion model over a text followed by [MASK]. */
export type AttentionLabInput = 'smooth' | 'random' | 'model';

/** Where the 'model' input comes from: one forward of the model over the text, then [MASK] up to N,
 *  at the noise level of a step that still has that share of the tokens masked. */
export interface AttentionLabModelInput {
  handle: string; // a loaded masked-diffusion model (mdlm); N ≤ its context
  layer: number; // transformer block, 0 … n_blocks − 1
  head: number; // attention head, 0 … n_heads − 1
  text?: string; // encoded with the model's tokenizer; default: the first sentence of the Brown corpus
  tokens?: number[]; // token ids instead of text (a model without a tokenizer)
}

export interface AttentionLabRequest {
  n: number; // tokens N (one head, bidirectional)
  headDim: number; // D, 1 … 256; the 'model' input runs with the model's head size instead
  block: number; // B: tokens per block, a power of two ≥ 2 dividing N
  topk: number; // K ≥ 1: blocks kept per query block (block top-K and every LLSA level)
  levels: number; // LLSA's L ≥ 1; N must be a multiple of B^L
  input: AttentionLabInput;
  model?: AttentionLabModelInput; // the 'model' input's source (read for that input only)
  queryBlock: number; // the query block (of B tokens) to show first, 0 … N/B − 1
  seed: number; // the inputs and ToMe's choice of destination per cell
  tomeRatio: number; // share of the ToMe grid's tokens merged away, 0 … 0.75
  reps?: number; // timed calls per method after a warm-up call (the median is reported), 1 … 20; default 3
}

export interface AttentionLabError {
  relL2: number; // ‖out − dense‖₂ / ‖dense‖₂
  maxAbs: number; // max |out − dense|
}

export interface AttentionLabMethod {
  ms: number; // median time per call
  samples: number; // timed calls behind the median (1 when one call is slower than the lab's budget)
  keysPerQuery: number; // keys one query row attends to
  error: AttentionLabError | null; // against dense attention; null for dense itself
}

/** Where the blocks of one level are drawn: a grid of equal cells, one block per cell. With the
 *  smooth input a block is the patch of the token grid it pools; with the other inputs blocks are
 *  laid out in reading order. */
export interface AttentionLabLayout {
  rows: number;
  cols: number;
  cellWidth: number; // tokens a cell spans across (its proportions)
  cellHeight: number; // tokens a cell spans down
  cell: Int32Array; // [blocks]: cell (row · cols + col) of each block
}

export interface AttentionLabLevel {
  level: number; // l = 1 … L
  blocks: number; // level-l tokens, N / B^l, each pooling B^l input tokens
  k: number; // picks per query token at this level
  /** [blocks, k], best first: the level-l key tokens each level-l query token kept. Level l < L
   *  picks among the B children of each of its parent's picks at level l + 1; level L among all. */
  selected: Int32Array;
  layout: AttentionLabLayout;
}

export interface AttentionLabTome {
  height: number; // the token grid ToMe runs on (raster order); 1 for the model's text sequence
  width: number;
  cellWidth: number; // tokens per merge cell across: 2 on a grid (2×2 cells), 4 on a sequence (as the models merge text)
  cellHeight: number; // tokens per merge cell down: 2 on a grid, 1 on a sequence
  sharedInput: boolean; // true: the attention input itself (N a square, or the model input); false: its own 32×32 input
  ratio: number;
  merged: number; // tokens merged away, r = ⌊H·W·ratio⌋
  kept: number; // slots after merging, H·W − r
  assign: Int32Array; // [H·W]: the slot each token merged into; the tokens of one slot form a group
  ms: number; // merge plan, merge of Q/K/V, proportional attention, unmerge (median per call)
  samples: number;
  denseMs: number; // dense attention over the same grid
  error: AttentionLabError; // unmerged output against dense attention over the grid
}

/** A request as run: defaults filled in (and the model's head size for the 'model' input). */
export type AttentionLabRun = Required<Omit<AttentionLabRequest, 'model'>> & Pick<AttentionLabRequest, 'model'>;

/** What the 'model' input captured. */
export interface AttentionLabCapture {
  source: string; // the model, as loaded (e.g. "brown-mdlm")
  layer: number;
  head: number;
  layers: number; // the model's blocks
  heads: number; // the model's heads
  context: number; // the model's context (model_length)
  textTokens: number; // tokens of the text; the other N − textTokens are [MASK]
  sigma: number; // noise level of the forward: σ(t) at t = the share of [MASK]
  pieces: string[] | null; // decoded text of the text's tokens; null without a tokenizer
}

export interface AttentionLabResult {
  request: AttentionLabRun;
  grid: { height: number; width: number } | null; // the smooth input's token grid; null for the others
  capture?: AttentionLabCapture; // the 'model' input only
  timingSource: TimingSource;
  dense: AttentionLabMethod;
  blockTopk: AttentionLabMethod;
  llsa: AttentionLabMethod;
  blockTopkSelection: AttentionLabLevel; // one level, the fine blocks attended exactly
  llsaSelection: AttentionLabLevel[]; // levels 1 … L
  tome: AttentionLabTome;
}

/** One interface, used in-thread (Node: CLI, tests) and through the worker (browser). */
export interface EngineApi {
  info(): Promise<EngineInfo>;
  selftest(options?: SelftestOptions, onProgress?: SelftestProgress): Promise<SelftestReport>;
  /** Reads a model's config and tensor table without touching the GPU. */
  inspect(source: ModelSource, onProgress?: LoadProgressCallback): Promise<ModelSummary>;
  /** Loads a model onto the GPU (or returns the already loaded one). Checks first that every tensor
   *  fits this adapter's limits, before any weight is downloaded. */
  loadModel(source: ModelSource, onProgress?: LoadProgressCallback): Promise<LoadedModelInfo>;
  /** Cancels the load or inspection in flight ('cancelled' error for its caller). */
  cancelLoad(): Promise<void>;
  cachedModels(): Promise<CachedModelRow[]>;
  deleteCachedModel(source: string): Promise<void>;
  /** Storage use and persistence of this origin, as the engine's thread sees them. (Asking for
   *  persistence is the page's job: StorageManager.persist() does not exist in workers.) */
  storage(): Promise<StorageState>;
  unloadModel(handle: string): Promise<void>;
  /** Raw logits for every position of `tokens`. */
  forward(handle: string, tokens: number[]): Promise<ForwardResult>;
  startText(handle: string, settings: TextSettings): Promise<TextSessionInfo>;
  /** The next step, or null when the session has finished. */
  stepText(session: string): Promise<TextStep | null>;
  /** A new session that keeps the first `atStep` generated tokens and continues with `settings`. */
  branchText(session: string, atStep: number, settings: TextSettings): Promise<TextSessionInfo>;
  startDiffusion(handle: string, settings: DiffusionSettings): Promise<DiffusionSessionInfo>;
  stepDiffusion(session: string): Promise<DiffusionStepView | null>;
  /** The model's logits for `tokens` (at σ = 0) with an attention setting against dense attention. */
  attentionDeviation(
    handle: string,
    tokens: number[],
    setting: Pick<DiffusionSettings, 'attention' | 'mergeRatio'>,
  ): Promise<AttentionDeviation>;
  startImage(handle: string, settings: ImageSettings): Promise<ImageSessionInfo>;
  stepImage(session: string): Promise<ImageStepView | null>;
  /** Decodes image tokens [P·D] (mask ids contribute nothing) with the first `depths` RVQ depths. */
  decodeImage(tokenizer: string, tokens: Int32Array, depths: number): Promise<DecodedImage>;
  /** A MaskGIT generator's logits for `tokens` under settings.className with settings' attention
   *  and merging, against dense attention. */
  imageAttentionDeviation(handle: string, tokens: Int32Array, settings: ImageSettings): Promise<AttentionDeviation>;
  closeSession(session: string): Promise<void>;
  /** GPU memory held by the engine: model weights, and pooled buffers (activations, caches). */
  memory(): Promise<MemoryState>;
  /** Dense vs block top-K vs LLSA attention on one head (synthetic, or captured from a loaded
   *  masked-diffusion model): times, errors against dense, the blocks each level selected, and token
   *  merging (ToMe) on a token grid or the model's sequence. */
  attentionLab(request: AttentionLabRequest): Promise<AttentionLabResult>;
  dispose(): Promise<void>;
}
