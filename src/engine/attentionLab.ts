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
// benchmark uses. Q/K captured from a model step is not offered: the models compute Q inside their
// forward pass and do not expose it.

import type { AdapterSummary } from '../gpu/adapter.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { view, type Tensor } from '../gpu/tensor.ts';
import { attention } from '../kernels/attention.ts';
import { attentionBlockTopk } from '../kernels/attentionBlockTopk.ts';
import { hierarchyLayout, llsa, LLSA_MAX_LEVELS, SPARSE_MAX_TOPK } from '../kernels/llsa.ts';
import { mortonPermutation } from '../kernels/morton.ts';
import { mergeTokens, proportionalAttention, tomesdPlan, unmergeTokens } from '../kernels/tome.ts';
import { badInput } from '../shared/errors.ts';
import { Rng } from '../shared/rng.ts';
import type {
  AttentionLabError,
  AttentionLabLayout,
  AttentionLabLevel,
  AttentionLabMethod,
  AttentionLabRequest,
  AttentionLabResult,
  AttentionLabTome,
} from './api.ts';

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

/** The levels N and B allow: the largest L ≤ LLSA_MAX_LEVELS with N a multiple of B^L (0: none). */
export function maxLabLevels(n: number, block: number): number {
  let levels = 0;
  while (levels < LLSA_MAX_LEVELS && n % block ** (levels + 1) === 0) levels++;
  return levels;
}

const isPowerOfTwo = (x: number) => Number.isInteger(x) && x >= 1 && (x & (x - 1)) === 0;

/** Validates a request against the kernels' limits and this adapter's; fills in the defaults. */
export function checkLabRequest(adapter: AdapterSummary, req: AttentionLabRequest): Required<AttentionLabRequest> {
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
  if (input !== 'smooth' && input !== 'random') {
    throw badInput(`input must be "smooth" or "random", got "${String(input)}"`);
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
  return { n, headDim: d, block, topk, levels, input, queryBlock, seed, tomeRatio, reps };
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

/** Q, K, V for T = H·W tokens in raster order. */
function makeInputs(input: AttentionLabRequest['input'], rng: Rng, grid: Grid, d: number): HostQkv {
  const t = grid.height * grid.width;
  if (input === 'random') return { q: rng.floats(t * d), k: rng.floats(t * d), v: rng.floats(t * d) };
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
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

export async function runAttentionLab(gpu: Gpu, request: AttentionLabRequest): Promise<AttentionLabResult> {
  const req = checkLabRequest(gpu.adapter, request);
  const { n, headDim: d, block, topk, levels, reps } = req;
  const rng = new Rng(req.seed);
  const grid = req.input === 'smooth' ? mortonGrid(n) : null;
  const perm = grid ? mortonPermutation(grid) : null; // Morton position → raster index
  // Raster order for ToMe; Morton order (the smooth input) or as made (random) for attention.
  const raster = makeInputs(req.input, rng, grid ?? { height: 1, width: n }, d);
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

  // ToMe on the token grid itself when N is a square, else on a 32×32 grid of its own.
  const side = Math.sqrt(n);
  const shared = Number.isInteger(side);
  const tome = shared
    ? await labTome(gpu, req, { height: side, width: side }, raster, {
        out: perm ? scatterRows(denseOut, perm, d) : Float32Array.from(denseOut),
        ms: dense.ms,
      })
    : await labTome(
        gpu,
        req,
        { height: TOME_SIDE, width: TOME_SIDE },
        makeInputs(req.input, rng, { height: TOME_SIDE, width: TOME_SIDE }, d),
        null,
      );

  return { request: req, grid, timingSource: gpu.profiler.source, ...result, tome };
}

/** tomesd's merge of Q, K, V on `grid` (metric: the keys), proportional attention over the merged
 *  tokens, unmerge; against dense attention over the grid (given, or computed here). */
async function labTome(
  gpu: Gpu,
  req: Required<AttentionLabRequest>,
  grid: Grid,
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
    ...grid,
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
