// The attention lab: one head of bidirectional attention over N synthetic tokens, computed by dense
// flash attention, block top-K and LLSA (src/kernels/attention.ts, attentionBlockTopk.ts, llsa.ts),
// timed the way bench/attention.ts times them (GPU timestamps when the device has them, else the wall
// clock around a drained queue; a warm-up call, then rounds of one call per method, the median
// reported), each sparse output compared with dense, and the blocks every level selected returned
// whole, so a view can show the map of any query block without running again. Then token merging
// (tomesd's 2×2 cells, ToMe's proportional attention; src/kernels/tome.ts) on a token grid: which
// slot every token merged into, its time and its error against dense attention over that grid.
//
// Inputs: 'smooth' — every channel a sum of a few low-frequency cosine products over a 2-D token grid,
// Q and K sharing one field (so similar tokens attend to each other, as in images) and reordered to
// Morton order, so that 1-D blocks are square patches; 'random' — uniform values in [−1, 1), as the
// benchmark uses; 'model' — one head's q, k (after RoPE) and v, captured from one forward of a loaded
// masked-diffusion model over a text padded with [MASK] to N (what a denoising step sees), at the
// noise level of a step with that share still masked. ToMe then merges the text sequence the way the
// models do (cells of 4 consecutive tokens) rather than a 2-D grid.

import type { TextTokenizer } from '../formats/tokenizer.ts';
import type { AdapterSummary } from '../gpu/adapter.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { view, type Tensor } from '../gpu/tensor.ts';
import { attention } from '../kernels/attention.ts';
import { attentionBlockTopk } from '../kernels/attentionBlockTopk.ts';
import { hierarchyLayout, llsa, LLSA_MAX_LEVELS, SPARSE_MAX_TOPK } from '../kernels/llsa.ts';
import { mortonPermutation } from '../kernels/morton.ts';
import { mergeTokens, proportionalAttention, tomesdPlan, unmergeTokens } from '../kernels/tome.ts';
import type { Mdlm } from '../models/mdlm.ts';
import type { AnyModel } from '../models/registry.ts';
import { sigmaOf } from '../samplers/diffusion.ts';
import { badInput } from '../shared/errors.ts';
import { Rng } from '../shared/rng.ts';
import type {
  AttentionLabCapture,
  AttentionLabError,
  AttentionLabLayout,
  AttentionLabLevel,
  AttentionLabMethod,
  AttentionLabRequest,
  AttentionLabResult,
  AttentionLabRun,
  AttentionLabTome,
} from './api.ts';
import { median } from '../shared/median.ts';

/** The attention kernels' largest head size. */
const MAX_HEAD_DIM = 256;
/** The most tokens per adapter class: dense attention is O(N²), and on a CPU adapter (SwiftShader)
 *  it already takes minutes at 16,384 tokens. */
const MAX_TOKENS = { cpu: 16_384, gpu: 262_144 } as const;
const MAX_TOME_RATIO = 0.75; // tomesd with 2×2 cells keeps at least one token per cell
const TOME_SIDE = 32; // the ToMe grid when N is not a square
const MAX_REPS = 20;
const DEFAULT_REPS = 3;
/** A method whose warm-up call takes longer than this is not called again: that call is its sample. */
const SLOW_MS = 2_000;
const MODES = 4; // cosine products summed per channel of a smooth field
const MAX_PERIODS = 2; // at most this many periods across the grid, in each direction
const OWN_FIELD = 0.5; // weight of Q's and K's own fields next to the field they share
const GRID_CELLS = { sx: 2, sy: 2 }; // tomesd's merge cells on a token grid
const SEQUENCE_CELLS = { sx: 4, sy: 1 }; // and on a text sequence, as the models merge (tokenMerge.ts)

/** The first sentence of the Brown corpus: the 'model' input's text when the request gives none. */
export const LAB_TEXT =
  "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced no evidence that any irregularities took place.";

/** A model loaded in the engine, for the 'model' input. */
export interface LabModel {
  source: string; // what it was loaded from, for messages
  model: AnyModel;
  tokenizer: TextTokenizer | null;
}

/** The levels N and B allow: the largest L ≤ LLSA_MAX_LEVELS with N a multiple of B^L (0: none). */
export function maxLabLevels(n: number, block: number): number {
  let levels = 0;
  while (levels < LLSA_MAX_LEVELS && n % block ** (levels + 1) === 0) levels++;
  return levels;
}

const isPowerOfTwo = (x: number) => Number.isInteger(x) && x >= 1 && (x & (x - 1)) === 0;

/** Validates a request against the kernels' limits and this adapter's; fills in the defaults. */
export function checkLabRequest(adapter: AdapterSummary, req: AttentionLabRequest): AttentionLabRun {
  const { n, headDim: d, block, topk, levels, input, queryBlock, seed, tomeRatio } = req;
  const reps = req.reps ?? DEFAULT_REPS;
  const maxTokens = MAX_TOKENS[adapter.adapterClass];
  if (!Number.isInteger(n) || n < 2) throw badInput(`N must be a whole number of tokens ≥ 2, got ${n}`);
  if (n > maxTokens) {
    throw badInput(
      `N=${n} tokens is more than this ${adapter.adapterClass === 'cpu' ? 'CPU' : 'GPU'} adapter allows in the lab (${maxTokens})`,
      adapter.adapterClass === 'cpu'
        ? 'dense attention is O(N²): on a CPU adapter it takes minutes already at 16,384'
        : undefined,
    );
  }
  if (!Number.isInteger(d) || d < 1 || d > MAX_HEAD_DIM) {
    throw badInput(`head size D must be a whole number in 1 … ${MAX_HEAD_DIM}, got ${d}`);
  }
  const bytes = n * d * 4;
  const limit = Math.min(adapter.limits.maxStorageBufferBindingSize, adapter.limits.maxBufferSize);
  if (bytes > limit) {
    throw badInput(
      `N=${n} × D=${d} needs ${bytes} bytes per tensor, above this adapter's ${limit}`,
      'use fewer tokens',
    );
  }
  if (!isPowerOfTwo(block) || block < 2) throw badInput(`block size B must be a power of two ≥ 2, got ${block}`);
  if (n % block !== 0) {
    throw badInput(`N=${n} is not a multiple of the block size B=${block}`, `use N = ${Math.ceil(n / block) * block}`);
  }
  if (!Number.isInteger(topk) || topk < 1) throw badInput(`top-K must be a whole number ≥ 1, got ${topk}`);
  const maxLevels = maxLabLevels(n, block);
  if (!Number.isInteger(levels) || levels < 1 || levels > maxLevels) {
    throw badInput(
      `LLSA levels must be 1 … ${maxLevels} for N=${n} and B=${block} (N must be a multiple of B^L), got ${levels}`,
    );
  }
  for (const l of [1, levels]) {
    const widest = Math.max(...hierarchyLayout(n, 1, block, topk, l).k);
    if (widest > SPARSE_MAX_TOPK) {
      throw badInput(`top-K=${topk} keeps ${widest} blocks per query block; at most ${SPARSE_MAX_TOPK} are supported`);
    }
  }
  if (input !== 'smooth' && input !== 'random' && input !== 'model') {
    throw badInput(`input must be "smooth", "random" or "model", got "${String(input)}"`);
  }
  if (input === 'smooth' && !isPowerOfTwo(n)) {
    throw badInput(
      `the smooth input lives on a 2-D grid in Morton order, so N must be a power of two; got ${n}`,
      'use the random input, or N = 1,024, 2,048, 4,096 …',
    );
  }
  if (!Number.isInteger(queryBlock) || queryBlock < 0 || queryBlock >= n / block) {
    throw badInput(`query block must be a whole number in 0 … ${n / block - 1} (N/B − 1), got ${queryBlock}`);
  }
  if (!Number.isInteger(seed)) throw badInput(`seed must be a whole number, got ${seed}`);
  if (!(tomeRatio >= 0 && tomeRatio <= MAX_TOME_RATIO)) {
    throw badInput(`merge ratio must be in [0, ${MAX_TOME_RATIO}], got ${tomeRatio}`);
  }
  if (!Number.isInteger(reps) || reps < 1 || reps > MAX_REPS) {
    throw badInput(`timed calls per method must be 1 … ${MAX_REPS}, got ${reps}`);
  }
  const run = { n, headDim: d, block, topk, levels, input, queryBlock, seed, tomeRatio, reps };
  return input === 'model' ? { ...run, model: req.model } : run;
}

// ---- the model input ------------------------------------------------------------------------------

interface ModelSource {
  lm: Mdlm;
  source: string;
  layer: number;
  head: number;
  ids: Int32Array; // [T] the text's tokens, T ≤ N
  pieces: string[] | null; // their decoded text; null without a tokenizer
}

/** The 'model' input's model, layer, head and tokens, checked against the model ('bad-input' naming
 *  what is wrong: no masked-diffusion model loaded, a layer or head it does not have, N beyond its
 *  context, a text longer than N). */
function modelSource(req: AttentionLabRequest, loaded: LabModel | null): ModelSource {
  const m = req.model;
  if (!m) {
    throw badInput(
      'the model input needs a loaded masked-diffusion model (its handle, a layer and a head)',
      'load brown-mdlm first, or choose another input',
    );
  }
  if (!loaded) {
    throw badInput(
      `the model input needs a loaded masked-diffusion model; no model "${m.handle}" is loaded`,
      'load brown-mdlm first, or choose another input',
    );
  }
  if (loaded.model.kind !== 'diffusion') {
    throw badInput(
      `${loaded.source} is not a masked-diffusion model; the model input captures q, k, v from an mdlm model`,
      'load brown-mdlm',
    );
  }
  const lm = loaded.model.lm;
  const { nBlocks, nHeads, modelLength, vocabSize } = lm.config;
  if (!(Number.isInteger(m.layer) && m.layer >= 0 && m.layer < nBlocks)) {
    throw badInput(`layer ${m.layer} is not one of ${loaded.source}'s blocks 0 … ${nBlocks - 1}`);
  }
  if (!(Number.isInteger(m.head) && m.head >= 0 && m.head < nHeads)) {
    throw badInput(`head ${m.head} is not one of ${loaded.source}'s heads 0 … ${nHeads - 1}`);
  }
  if (req.n > modelLength) {
    throw badInput(
      `N=${req.n} tokens is more than ${loaded.source}'s context of ${modelLength}`,
      `use N ≤ ${modelLength}`,
    );
  }
  if (m.tokens !== undefined && m.text !== undefined)
    throw badInput('give the model input a text or token ids, not both');
  const { tokenizer } = loaded;
  if (m.tokens === undefined && !tokenizer) {
    throw badInput(`${loaded.source} has no tokenizer.json`, 'give the model input as token ids');
  }
  const ids = Int32Array.from(m.tokens ?? tokenizer!.encode(m.text ?? LAB_TEXT));
  for (const id of ids) {
    if (!(Number.isInteger(id) && id >= 0 && id < vocabSize)) {
      throw badInput(`token id ${id} is outside ${loaded.source}'s vocabulary (0 … ${vocabSize - 1})`);
    }
  }
  if (ids.length > req.n) {
    throw badInput(`the text is ${ids.length} tokens, more than N=${req.n}`, 'use a shorter text or a larger N');
  }
  const pieces = tokenizer ? Array.from(ids, (id) => tokenizer.decode([id])) : null;
  return { lm, source: loaded.source, layer: m.layer, head: m.head, ids, pieces };
}

/** One forward over the text and [MASK] up to N tokens, at σ(t) with t the share of [MASK] (the
 *  noise level of a step that still has that share masked); the chosen head's q, k, v, [N, Dh] each. */
async function captureModel(
  gpu: Gpu,
  src: ModelSource,
  n: number,
): Promise<{ host: HostQkv; capture: AttentionLabCapture }> {
  const { lm, layer, head } = src;
  const ids = new Int32Array(n).fill(lm.maskTokenId); // [N]
  ids.set(src.ids);
  const sigma = sigmaOf((n - src.ids.length) / n);
  let kept: Tensor[] = [];
  const onCapture = (...qkv: Tensor[]) => {
    kept = qkv.map((t, j) => {
      const copy = gpu.empty(t.shape, 'f32', `lab.capture.${'qkv'[j]}`); // [N, Dh]
      gpu.copy(t, 0, copy, 0, t.shape[0] * t.shape[1]);
      return copy;
    });
  };
  const host: Float32Array[] = [];
  try {
    lm.forward(ids, sigma, { capture: { layer, head, onCapture } }).release();
    for (const t of kept) host.push((await gpu.read(t)) as Float32Array);
  } finally {
    releaseAll(kept);
  }
  const [q, k, v] = host;
  const { nBlocks, nHeads, modelLength } = lm.config;
  return {
    host: { q, k, v },
    capture: {
      source: src.source,
      layer,
      head,
      layers: nBlocks,
      heads: nHeads,
      context: modelLength,
      textTokens: src.ids.length,
      sigma,
      pieces: src.pieces,
    },
  };
}

// ---- inputs ---------------------------------------------------------------------------------------

interface Grid {
  height: number;
  width: number;
}

/** The Morton-ordered grid for N = 2^m tokens: square, or twice as wide as high. */
function mortonGrid(n: number): Grid {
  const height = 2 ** Math.floor(Math.log2(n) / 2);
  return { height, width: n / height };
}

/** [H·W, D] in raster order: each channel a sum of MODES separable cosine products, 0 … MAX_PERIODS
 *  periods across the grid in each direction, scaled to a mean square of 1. */
function smoothField(rng: Rng, grid: Grid, d: number): Float32Array {
  const { height: h, width: w } = grid;
  const out = new Float32Array(h * w * d); // [H·W, D]
  const col = new Float64Array(w);
  const row = new Float64Array(h);
  for (let c = 0; c < d; c++) {
    for (let m = 0; m < MODES; m++) {
      const amp = rng.normal();
      const fx = rng.int(MAX_PERIODS + 1);
      const fy = rng.int(MAX_PERIODS + 1);
      const px = rng.uniform(0, 2 * Math.PI);
      const py = rng.uniform(0, 2 * Math.PI);
      for (let x = 0; x < w; x++) col[x] = amp * Math.cos((2 * Math.PI * fx * x) / w + px);
      for (let y = 0; y < h; y++) row[y] = Math.cos((2 * Math.PI * fy * y) / h + py);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(y * w + x) * d + c] += row[y] * col[x];
    }
    let sq = 0;
    for (let t = 0; t < h * w; t++) sq += out[t * d + c] ** 2;
    const s = sq > 0 ? Math.sqrt((h * w) / sq) : 1;
    for (let t = 0; t < h * w; t++) out[t * d + c] *= s;
  }
  return out;
}

interface HostQkv {
  q: Float32Array; // [T, D]
  k: Float32Array; // [T, D]
  v: Float32Array; // [T, D]
}

/** Q, K, V for T = H·W tokens in raster order: smooth fields, or uniform random values. */
function makeInputs(smooth: boolean, rng: Rng, grid: Grid, d: number): HostQkv {
  const t = grid.height * grid.width;
  if (!smooth) return { q: rng.floats(t * d), k: rng.floats(t * d), v: rng.floats(t * d) };
  const shared = smoothField(rng, grid, d);
  const mix = (own: Float32Array) => own.map((x, i) => shared[i] + OWN_FIELD * x);
  return { q: mix(smoothField(rng, grid, d)), k: mix(smoothField(rng, grid, d)), v: smoothField(rng, grid, d) };
}

/** Rows of `src` [T, D] in the order `perm`: out[j] = src[perm[j]]. */
function gatherRows(src: Float32Array, perm: Int32Array, d: number): Float32Array {
  const out = new Float32Array(src.length);
  perm.forEach((from, j) => out.set(src.subarray(from * d, from * d + d), j * d));
  return out;
}

/** The inverse of gatherRows: out[perm[j]] = src[j]. */
function scatterRows(src: ArrayLike<number>, perm: Int32Array, d: number): Float32Array {
  const out = new Float32Array(src.length);
  perm.forEach((to, j) => {
    for (let c = 0; c < d; c++) out[to * d + c] = src[j * d + c];
  });
  return out;
}

// ---- measuring ------------------------------------------------------------------------------------

/** One call of a method: records its dispatches and returns its tensors (the output first). */
type Launch = () => Tensor[];

const releaseAll = (ts: Tensor[]) => ts.forEach((t) => t.release());

/** Milliseconds the dispatches of one call take, and what it returned. */
async function timeCall(gpu: Gpu, launch: Launch): Promise<{ ms: number; out: Tensor[] }> {
  await gpu.sync();
  if (gpu.profiler.source === 'timestamp') {
    gpu.profiler.enabled = true;
    try {
      await gpu.takeTimings(); // drop anything recorded before
      const out = launch();
      await gpu.sync();
      const timings = await gpu.takeTimings();
      return { ms: timings.reduce((sum, t) => sum + t.ms, 0), out };
    } finally {
      gpu.profiler.enabled = false;
    }
  }
  const t0 = performance.now();
  const out = launch();
  await gpu.sync();
  return { ms: performance.now() - t0, out };
}

interface Measured {
  out: Tensor[]; // what the warm-up call returned (the caller releases it)
  ms: number; // median over the samples
  samples: number;
}

/** A warm-up call of every method (its results kept), then `reps` rounds of one call per method, so
 *  that drift on a shared machine hits all methods alike. A method slower than SLOW_MS gets no more
 *  calls: its warm-up call is its one sample. */
async function measure(gpu: Gpu, launches: Launch[], reps: number): Promise<Measured[]> {
  const first: Array<{ ms: number; out: Tensor[] }> = [];
  for (const launch of launches) first.push(await timeCall(gpu, launch));
  const samples: number[][] = launches.map(() => []);
  for (let r = 0; r < reps; r++) {
    for (const [i, launch] of launches.entries()) {
      if (first[i].ms > SLOW_MS) continue;
      const { ms, out } = await timeCall(gpu, launch);
      releaseAll(out);
      samples[i].push(ms);
    }
  }
  return first.map((f, i) => {
    const s = samples[i].length > 0 ? samples[i] : [f.ms];
    return { out: f.out, ms: median(s), samples: s.length };
  });
}

function errorAgainst(got: ArrayLike<number>, want: ArrayLike<number>): AttentionLabError {
  let diff = 0;
  let norm = 0;
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) {
    const e = got[i] - want[i];
    diff += e * e;
    norm += want[i] * want[i];
    // NaN fails every comparison: make it the worst error rather than hide it
    maxAbs = Math.abs(e) <= maxAbs ? maxAbs : Number.isNaN(e) ? Infinity : Math.abs(e);
  }
  return { relL2: norm > 0 ? Math.sqrt(diff / norm) : Math.sqrt(diff), maxAbs };
}

// ---- block maps -----------------------------------------------------------------------------------

/** Blocks of `span` consecutive tokens drawn where they lie: on the Morton grid each block is an
 *  aligned rectangle (its first token is its top-left corner); without a grid, in reading order. */
function blockLayout(n: number, span: number, grid: Grid | null, perm: Int32Array | null): AttentionLabLayout {
  const blocks = n / span;
  if (!grid || !perm) {
    const cols = Math.ceil(Math.sqrt(blocks));
    return {
      rows: Math.ceil(blocks / cols),
      cols,
      cellWidth: 1,
      cellHeight: 1,
      cell: Int32Array.from({ length: blocks }, (_, b) => b),
    };
  }
  const { width } = grid;
  let right = 0;
  let bottom = 0;
  for (let j = 0; j < span; j++) {
    right = Math.max(right, perm[j] % width);
    bottom = Math.max(bottom, Math.floor(perm[j] / width));
  }
  const cellWidth = right + 1;
  const cellHeight = bottom + 1;
  const cols = width / cellWidth;
  const cell = Int32Array.from({ length: blocks }, (_, b) => {
    const corner = perm[b * span];
    return Math.floor(corner / width / cellHeight) * cols + Math.floor((corner % width) / cellWidth);
  });
  return { rows: grid.height / cellHeight, cols, cellWidth, cellHeight, cell };
}

// ---- the lab --------------------------------------------------------------------------------------

/** Runs the lab; `loaded` is the model the 'model' input names (null when it names none that is
 *  loaded). */
export async function runAttentionLab(
  gpu: Gpu,
  request: AttentionLabRequest,
  loaded: LabModel | null = null,
): Promise<AttentionLabResult> {
  const src = request.input === 'model' ? modelSource(request, loaded) : null;
  // The model input has the model's head size.
  const req = checkLabRequest(gpu.adapter, src ? { ...request, headDim: src.lm.config.headDim } : request);
  const { n, headDim: d, block, topk, levels, reps } = req;
  const rng = new Rng(req.seed);
  const grid = req.input === 'smooth' ? mortonGrid(n) : null;
  const perm = grid ? mortonPermutation(grid) : null; // Morton position → raster index
  const captured = src ? await captureModel(gpu, src, n) : null;
  // Raster order for ToMe; Morton order (the smooth input) or as made (the others) for attention.
  const raster = captured?.host ?? makeInputs(req.input === 'smooth', rng, grid ?? { height: 1, width: n }, d);
  const seq = perm
    ? { q: gatherRows(raster.q, perm, d), k: gatherRows(raster.k, perm, d), v: gatherRows(raster.v, perm, d) }
    : raster;
  const shape = [n, 1, d];
  const q = gpu.upload(seq.q, shape, 'lab.q'); // [N, 1, D]
  const k = gpu.upload(seq.k, shape, 'lab.k'); // [N, 1, D]
  const v = gpu.upload(seq.v, shape, 'lab.v'); // [N, 1, D]

  const [dense, topK, sparse] = await measure(
    gpu,
    [
      () => [attention(gpu, q, k, v, { label: 'lab.dense' })],
      () => {
        const r = attentionBlockTopk(gpu, q, k, v, { block, topk, label: 'lab.blocktopk' });
        return [r.out, r.indices];
      },
      () => {
        const r = llsa(gpu, q, k, v, { block, topk, levels, label: 'lab.llsa' });
        return [r.out, ...r.selected];
      },
    ],
    reps,
  );
  const denseOut = await gpu.read(dense.out[0]); // [N, 1, D]
  const method = async (m: Measured, keysPerQuery: number): Promise<AttentionLabMethod> => ({
    ms: m.ms,
    samples: m.samples,
    keysPerQuery,
    error: errorAgainst(await gpu.read(m.out[0]), denseOut),
  });
  const btLayout = hierarchyLayout(n, 1, block, topk, 1);
  const llLayout = hierarchyLayout(n, 1, block, topk, levels);
  const selection = async (t: Tensor, level: number): Promise<AttentionLabLevel> => ({
    level,
    blocks: t.shape[0],
    k: t.shape[2],
    selected: (await gpu.read(t)) as Int32Array,
    layout: blockLayout(n, block ** level, grid, perm),
  });
  const llsaKeys = llLayout.k.slice(1).reduce((sum, kl) => sum + kl * block, 0) + llLayout.rows[levels];
  const result = {
    dense: { ms: dense.ms, samples: dense.samples, keysPerQuery: n, error: null },
    blockTopk: await method(topK, btLayout.k[1] * block),
    llsa: await method(sparse, llsaKeys),
    blockTopkSelection: await selection(topK.out[1], 1),
    llsaSelection: await Promise.all(sparse.out.slice(1).map((t, l) => selection(t, l + 1))),
  };
  for (const t of [q, k, v, ...dense.out, ...topK.out, ...sparse.out]) t.release();

  // ToMe on the model's text sequence, or on the token grid itself when N is a square, else on a
  // 32×32 grid of its own.
  const side = Math.sqrt(n);
  const same = { out: perm ? scatterRows(denseOut, perm, d) : Float32Array.from(denseOut), ms: dense.ms };
  const tome = captured
    ? await labTome(gpu, req, { height: 1, width: n, ...SEQUENCE_CELLS }, raster, same)
    : Number.isInteger(side)
      ? await labTome(gpu, req, { height: side, width: side, ...GRID_CELLS }, raster, same)
      : await labTome(
          gpu,
          req,
          { height: TOME_SIDE, width: TOME_SIDE, ...GRID_CELLS },
          makeInputs(req.input === 'smooth', rng, { height: TOME_SIDE, width: TOME_SIDE }, d),
          null,
        );

  return {
    request: req,
    grid,
    ...(captured ? { capture: captured.capture } : {}),
    timingSource: gpu.profiler.source,
    ...result,
    tome,
  };
}

/** The tokens ToMe runs on, in raster order, and its merge cells (sx across, sy down). */
interface TomeGrid extends Grid {
  sx: number;
  sy: number;
}

/** tomesd's merge of Q, K, V on `grid` (metric: the keys), proportional attention over the merged
 *  tokens, unmerge; against dense attention over the grid (given, or computed here). */
async function labTome(
  gpu: Gpu,
  req: AttentionLabRun,
  grid: TomeGrid,
  host: HostQkv,
  dense: { out: Float32Array; ms: number } | null,
): Promise<AttentionLabTome> {
  const tokens = grid.height * grid.width;
  const d = req.headDim;
  const shape = [tokens, 1, d];
  const q = gpu.upload(host.q, shape, 'lab.tome.q'); // [T, 1, D]
  const k = gpu.upload(host.k, shape, 'lab.tome.k'); // [T, 1, D]
  const v = gpu.upload(host.v, shape, 'lab.tome.v'); // [T, 1, D]
  const launches: Launch[] = [
    () => {
      const plan = tomesdPlan(gpu, view(k, [tokens, d]), { ...grid, ratio: req.tomeRatio, seed: req.seed }, 'lab.tome');
      const [mq, mk, mv] = [q, k, v].map((x) => mergeTokens(gpu, plan, x, undefined, `lab.tome.merge`));
      const att = proportionalAttention(gpu, mq.x, mk.x, mv.x, mk.size, { label: 'lab.tome.attention' }); // [T − r, 1, D]
      const out = unmergeTokens(gpu, plan, att, 'lab.tome.unmerge'); // [T, 1, D]
      releaseAll([att, ...[mq, mk, mv].flatMap((m) => [m.x, m.size])]);
      return [out, plan.assign, plan.sources, plan.mergedList];
    },
  ];
  if (!dense) launches.push(() => [attention(gpu, q, k, v, { label: 'lab.tome.dense' })]);
  const [merged, own] = await measure(gpu, launches, req.reps);
  const want = dense ?? { out: (await gpu.read(own.out[0])) as Float32Array, ms: own.ms };
  const assign = (await gpu.read(merged.out[1])) as Int32Array;
  const kept = merged.out[2].shape[0];
  const result: AttentionLabTome = {
    height: grid.height,
    width: grid.width,
    cellWidth: grid.sx,
    cellHeight: grid.sy,
    sharedInput: dense !== null,
    ratio: req.tomeRatio,
    merged: tokens - kept,
    kept,
    assign,
    ms: merged.ms,
    samples: merged.samples,
    denseMs: want.ms,
    error: errorAgainst(await gpu.read(merged.out[0]), want.out),
  };
  for (const t of [q, k, v, ...merged.out, ...(own?.out ?? [])]) t.release();
  return result;
}
