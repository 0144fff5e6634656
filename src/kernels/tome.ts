// Token merging (ToMe, Bolya et al., `facebookresearch/ToMe:tome/merge.py`) and its Stable Diffusion
// variant (tomesd, `dbolya/tomesd:tomesd/merge.py`), algorithms.md §2. A merge plan is computed once
// from a metric (ToMe: the keys averaged over heads; tomesd: the block's input): tokens are split into
// a src and a dst side, every src token finds its most similar dst token (cosine), and the r src
// tokens with the highest similarity merge into their match. The plan then merges any [T, C] tensor
// into [T − r, C] (size-weighted means, sizes tracked) and unmerges [T − r, C] back to [T, C] (every
// token copies the slot it went into). Merged sequence layout, as in both references: the unmerged
// src tokens in descending-similarity order, then every dst token in dst order.
// - ToMe: src = even tokens, dst = odd tokens, r ≤ ⌊T/2⌋; attention over merged tokens uses
//   proportional attention (logits + ln size of the key): `proportionalAttention`.
// - tomesd: an H×W grid in cells of sy×sx; one dst per cell (random, seeded, or its top-left token),
//   the rest src; r = ⌊T · ratio⌋, ratio ≤ 1 − 1/(sx·sy); merge before attention, unmerge after.
// Kernels: shaders/tome_match.wgsl, tome_plan.wgsl, tome_merge.wgsl, tome_unmerge.wgsl,
// tome_attention.wgsl, all per-invocation without workgroup memory (CPU adapters; fine on GPUs).

import attentionCode from '../../shaders/tome_attention.wgsl?raw';
import matchCode from '../../shaders/tome_match.wgsl?raw';
import mergeCode from '../../shaders/tome_merge.wgsl?raw';
import planCode from '../../shaders/tome_plan.wgsl?raw';
import unmergeCode from '../../shaders/tome_unmerge.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import { numel, type Tensor } from '../gpu/tensor.ts';
import { Rng } from '../shared/rng.ts';
import { expectDType, expectPositiveInt, expectRank, expectShape, fail } from './checks.ts';

const KERNEL = 'token merging';
const MAX_HEAD_DIM = 256;

/** Which tokens may merge away (src) and which receive them (dst); together every token once. */
export interface Partition {
  src: Int32Array; // token ids of the src side, in order
  dst: Int32Array; // token ids of the dst side, in order
}

/** A merge plan for T tokens: which slot of the merged sequence every token goes to. */
export interface MergePlan {
  tokens: number; // T
  merged: number; // r, tokens merged away
  kept: number; // T − r, slots of the merged sequence
  srcCount: number; // Ts
  assign: Tensor; // [T] i32: slot of every token (the unmerge map)
  sources: Tensor; // [T − r] i32: the token that opens each slot (an unmerged src, or a dst)
  mergedList: Tensor; // [max(r, 1), 2] i32: (src token, dst index) of the merged srcs, by rank
  release(): void;
}

/** ToMe's split: even tokens are src (A), odd tokens dst (B). */
export function tomePartition(tokens: number): Partition {
  const src = Int32Array.from({ length: Math.ceil(tokens / 2) }, (_, i) => 2 * i);
  const dst = Int32Array.from({ length: Math.floor(tokens / 2) }, (_, i) => 2 * i + 1);
  return { src, dst };
}

export interface TomesdGrid {
  height: number; // H: rows of tokens
  width: number; // W: columns of tokens
  sx?: number; // cell width, default 2
  sy?: number; // cell height, default 2
  /** Seed of the dst position in each cell (tomesd's use_rand); null: the top-left token. Default 0. */
  seed?: number | null;
}

/** tomesd's split: one dst per sy×sx cell (cells cover the top-left ⌊H/sy⌋·sy × ⌊W/sx⌋·sx tokens),
 *  every other token src; both lists in raster order. */
export function tomesdPartition(grid: TomesdGrid): Partition {
  const { height: h, width: w } = grid;
  const sx = grid.sx ?? 2;
  const sy = grid.sy ?? 2;
  for (const [name, n] of [
    ['height', h],
    ['width', w],
    ['sx', sx],
    ['sy', sy],
  ] as const) {
    expectPositiveInt(KERNEL, name, n);
  }
  const seed = grid.seed === undefined ? 0 : grid.seed;
  const rng = seed === null ? null : new Rng(seed);
  const isDst = new Uint8Array(h * w);
  for (let cy = 0; cy < Math.floor(h / sy); cy++) {
    for (let cx = 0; cx < Math.floor(w / sx); cx++) {
      const pick = rng ? rng.int(sx * sy) : 0;
      isDst[(cy * sy + Math.floor(pick / sx)) * w + cx * sx + (pick % sx)] = 1;
    }
  }
  const src: number[] = [];
  const dst: number[] = [];
  isDst.forEach((d, t) => (d ? dst : src).push(t));
  return { src: Int32Array.from(src), dst: Int32Array.from(dst) };
}

function metricCols(metric: Tensor): [number, number] {
  expectDType(KERNEL, metric, 'f32');
  if (metric.shape.length < 2)
    fail(KERNEL, `${metric.label} has shape ${JSON.stringify(metric.shape)}, expected [T, C]`);
  const tokens = metric.shape[0];
  expectPositiveInt(KERNEL, 'T', tokens);
  return [tokens, numel(metric.shape) / tokens];
}

/** Bipartite soft matching over a given partition, merging min(r, Ts) src tokens (none when there is
 *  no dst). metric [T, …] (rows of C floats). */
export function mergePlan(gpu: Gpu, metric: Tensor, partition: Partition, r: number, label = 'tome'): MergePlan {
  const [tokens, cols] = metricCols(metric);
  const nSrc = partition.src.length;
  const nDst = partition.dst.length;
  if (nSrc + nDst !== tokens) fail(KERNEL, `the partition covers ${nSrc + nDst} tokens, the metric has ${tokens}`);
  if (!Number.isInteger(r) || r < 0) fail(KERNEL, `r (tokens to merge) must be a non-negative integer, got ${r}`);
  const merged = nDst === 0 ? 0 : Math.min(r, nSrc);
  const srcTok = gpu.upload(
    partition.src.length > 0 ? partition.src : new Int32Array(1),
    [Math.max(1, nSrc)],
    `${label}.src`,
  ); // [Ts]
  const dstTok = gpu.upload(
    partition.dst.length > 0 ? partition.dst : new Int32Array(1),
    [Math.max(1, nDst)],
    `${label}.dst`,
  ); // [Td]
  let nodeIdx: Tensor; // [Ts]
  let nodeMax: Tensor; // [Ts]
  if (nDst > 0 && nSrc > 0) {
    nodeIdx = gpu.empty([nSrc], 'i32', `${label}.node_idx`);
    nodeMax = gpu.empty([nSrc], 'f32', `${label}.node_max`);
    gpu.run({
      label: `${label}.match`,
      code: matchCode,
      params: { cols, n_src: nSrc, n_dst: nDst },
      bindings: [metric, srcTok, dstTok, nodeIdx, nodeMax],
      workgroups: gpu.grid(Math.ceil(nSrc / 64)),
    });
  } else {
    // Nothing can merge: equal scores rank the srcs in order.
    nodeIdx = gpu.upload(new Int32Array(Math.max(1, nSrc)), [Math.max(1, nSrc)], `${label}.node_idx`);
    nodeMax = gpu.upload(new Float32Array(Math.max(1, nSrc)), [Math.max(1, nSrc)], `${label}.node_max`);
  }
  const kept = tokens - merged;
  const assign = gpu.empty([tokens], 'i32', `${label}.assign`); // [T]
  const sources = gpu.empty([kept], 'i32', `${label}.sources`); // [T − r]
  const mergedList = gpu.empty([Math.max(1, merged), 2], 'i32', `${label}.merged`); // [r, 2]
  gpu.run({
    label: `${label}.plan`,
    code: planCode,
    params: { n_src: nSrc, n_dst: nDst, r: merged },
    bindings: [nodeIdx, nodeMax, srcTok, dstTok, assign, sources, mergedList],
    workgroups: gpu.grid(Math.ceil(tokens / 64)),
  });
  for (const t of [srcTok, dstTok, nodeIdx, nodeMax]) t.release();
  return {
    tokens,
    merged,
    kept,
    srcCount: nSrc,
    assign,
    sources,
    mergedList,
    release: () => {
      for (const t of [assign, sources, mergedList]) t.release();
    },
  };
}

/** ToMe's bipartite soft matching: metric [T, C] (e.g. keys averaged over heads); merges
 *  min(r, ⌊T/2⌋) even tokens into their most similar odd token. */
export function tomePlan(gpu: Gpu, metric: Tensor, r: number, label = 'tome'): MergePlan {
  const [tokens] = metricCols(metric);
  return mergePlan(gpu, metric, tomePartition(tokens), Math.min(r, Math.floor(tokens / 2)), label);
}

export interface TomesdOptions extends TomesdGrid {
  /** Fraction of the tokens to merge away, in [0, 1 − 1/(sx·sy)] (0.75 for 2×2 cells). */
  ratio: number;
}

/** tomesd: metric [H·W, C] on a grid; merges ⌊H·W·ratio⌋ src tokens into dst tokens (one per cell). */
export function tomesdPlan(gpu: Gpu, metric: Tensor, opts: TomesdOptions, label = 'tomesd'): MergePlan {
  const [tokens] = metricCols(metric);
  const sx = opts.sx ?? 2;
  const sy = opts.sy ?? 2;
  const maxRatio = 1 - 1 / (sx * sy);
  if (!(opts.ratio >= 0 && opts.ratio <= maxRatio)) {
    fail(KERNEL, `merge ratio must be in [0, ${maxRatio}] for ${sy}×${sx} cells, got ${opts.ratio}`);
  }
  if (opts.height * opts.width !== tokens) {
    fail(KERNEL, `${metric.label} has ${tokens} tokens, not ${opts.height}×${opts.width}`);
  }
  return mergePlan(gpu, metric, tomesdPartition(opts), Math.floor(tokens * opts.ratio), label);
}

export interface MergeResult {
  x: Tensor; // [T − r, C]
  size: Tensor; // [T − r]: how many original tokens (or how much size) each slot holds
}

/** x [T, …] (rows of C floats) → the plan's merged sequence [T − r, …], each slot the size-weighted
 *  mean of its tokens; size [T] (default all 1: a plain mean, as tomesd) → the merged sizes. */
export function mergeTokens(gpu: Gpu, plan: MergePlan, x: Tensor, size?: Tensor, label = 'tome.merge'): MergeResult {
  expectDType(KERNEL, x, 'f32');
  if (x.shape.length < 1 || x.shape[0] !== plan.tokens) {
    fail(KERNEL, `${x.label} has shape ${JSON.stringify(x.shape)}, expected ${plan.tokens} tokens first`);
  }
  if (size) {
    expectDType(KERNEL, size, 'f32');
    expectShape(KERNEL, size, [plan.tokens]);
  }
  const cols = numel(x.shape) / plan.tokens;
  const out = gpu.empty([plan.kept, ...x.shape.slice(1)], 'f32', label); // [T − r, C]
  const outSize = gpu.empty([plan.kept], 'f32', `${label}.size`); // [T − r]
  gpu.run({
    label,
    code: mergeCode,
    params: { cols, slots: plan.kept, dst_base: plan.srcCount - plan.merged, r: plan.merged, has_size: size ? 1 : 0 },
    bindings: [x, size ?? x, plan.sources, plan.mergedList, out, outSize],
    workgroups: gpu.grid(Math.ceil(plan.kept / 64)),
  });
  return { x: out, size: outSize };
}

/** y [T − r, …] → [T, …]: every original token takes the value of the slot it was merged into. */
export function unmergeTokens(gpu: Gpu, plan: MergePlan, y: Tensor, label = 'tome.unmerge'): Tensor {
  expectDType(KERNEL, y, 'f32');
  if (y.shape.length < 1 || y.shape[0] !== plan.kept) {
    fail(KERNEL, `${y.label} has shape ${JSON.stringify(y.shape)}, expected ${plan.kept} merged tokens first`);
  }
  const cols = numel(y.shape) / plan.kept;
  const out = gpu.empty([plan.tokens, ...y.shape.slice(1)], 'f32', label); // [T, C]
  gpu.run({
    label,
    code: unmergeCode,
    params: { cols, tokens: plan.tokens },
    bindings: [y, plan.assign, out],
    workgroups: gpu.grid(Math.ceil((plan.tokens * cols) / 256)),
  });
  return out;
}

export interface ProportionalAttentionOptions {
  /** Multiplies q·k before the softmax; default 1/√D. */
  scale?: number;
  /** Label of the output tensor and the dispatch. Default "tome.attention". */
  label?: string;
}

/** ToMe's proportional attention: q, k, v [T, H, D], size [T] (> 0) → out [T, H, D] with
 *  out = softmax(scale · q·kᵀ + ln size) · v per head (bidirectional). */
export function proportionalAttention(
  gpu: Gpu,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  size: Tensor,
  opts: ProportionalAttentionOptions = {},
): Tensor {
  const kernel = 'proportional attention';
  for (const t of [q, k, v]) {
    expectDType(kernel, t, 'f32');
    expectRank(kernel, t, 3);
  }
  expectShape(kernel, k, q.shape);
  expectShape(kernel, v, q.shape);
  const [tokens, heads, d] = q.shape;
  expectPositiveInt(kernel, 'T', tokens);
  expectPositiveInt(kernel, 'H', heads);
  expectPositiveInt(kernel, 'D', d);
  if (d > MAX_HEAD_DIM) fail(kernel, `head size D=${d} is above the supported ${MAX_HEAD_DIM}`);
  expectDType(kernel, size, 'f32');
  expectShape(kernel, size, [tokens]);
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  if (!Number.isFinite(scale)) fail(kernel, `scale must be finite, got ${scale}`);
  const label = opts.label ?? 'tome.attention';
  const out = gpu.empty([tokens, heads, d], 'f32', label); // [T, H, D]
  const wg = tokens * heads < 256 ? 4 : 64;
  gpu.run({
    label,
    code: attentionCode,
    constants: { HEAD_DIM: d, WG: wg },
    params: { tokens, heads, scale },
    bindings: [q, k, v, size, out],
    workgroups: gpu.grid(Math.ceil((tokens * heads) / wg)),
  });
  return out;
}
