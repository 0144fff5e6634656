// Which attention a bidirectional model runs, applied without retraining (issue 7): dense flash
// attention (the trained behaviour), block top-K sparse attention, or log-linear sparse attention
// (LLSA, algorithms.md §1), plus a token-merge ratio (tomesd, tokenMerge.ts). The settings are plain
// data (they cross the worker boundary and the CLI); `checkModelAttention` turns a bad one into a
// 'bad-input' error that names the setting, since the kernels' own checks raise internal errors
// (a kernel's caller is code). `bidirectionalAttention` runs one head-batched attention with a
// setting, on q, k, v [N, H, D] (MDLM's layout); a model over a 2-D token grid passes its grid so
// that the sparse kinds pool square patches (Morton order) rather than runs of a raster row.

import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { attention } from '../kernels/attention.ts';
import { attentionBlockTopk } from '../kernels/attentionBlockTopk.ts';
import { hierarchyLayout, llsa, LLSA_MAX_LEVELS, SPARSE_MAX_TOPK } from '../kernels/llsa.ts';
import { fromMortonOrder, toMortonOrder, type GridSize } from '../kernels/morton.ts';
import { badInput } from '../shared/errors.ts';

export type AttentionSetting =
  | { kind: 'dense' }
  | {
      kind: 'block-topk';
      blockSize: number; // B: tokens per block, a power of two ≥ 2
      topK: number; // K ≥ 1: key blocks each query block attends to
    }
  | {
      kind: 'llsa';
      blockSize: number; // B at every level, a power of two ≥ 2
      topK: number; // K ≥ 1 blocks kept per query block at every level
      levels: number; // L in [1, 8]: the sequence is pooled L times
    };

export type AttentionKind = AttentionSetting['kind'];

/** An attention setting and a token-merge ratio: what a model forward takes besides its inputs. */
export interface ModelAttention {
  attention?: AttentionSetting; // default dense
  mergeRatio?: number; // fraction of tokens merged away per block, [0, 0.75]; default 0 (off)
}

export const DENSE: AttentionSetting = { kind: 'dense' };

/** tomesd's limit for cells of 4 tokens (one destination per cell): 1 − 1/4. */
export const MAX_MERGE_RATIO = 0.75;

/** Whether a model forward with these options computes exactly what the model was trained with. */
export function isDense(m: ModelAttention): boolean {
  return (m.attention ?? DENSE).kind === 'dense' && (m.mergeRatio ?? 0) === 0;
}

/** Tokens per coarsest block, B^L: sparse attention needs a multiple of it (1 for dense). */
export function attentionSpan(s: AttentionSetting): number {
  if (s.kind === 'dense') return 1;
  return s.blockSize ** (s.kind === 'llsa' ? s.levels : 1);
}

/** One line for messages and reports, e.g. "llsa (B=16, K=8, L=1)". */
export function describeAttention(m: ModelAttention): string {
  const s = m.attention ?? DENSE;
  const attn =
    s.kind === 'dense'
      ? 'dense'
      : s.kind === 'block-topk'
        ? `block-topk (B=${s.blockSize}, K=${s.topK})`
        : `llsa (B=${s.blockSize}, K=${s.topK}, L=${s.levels})`;
  const r = m.mergeRatio ?? 0;
  return r > 0 ? `${attn}, token merging ${r}` : attn;
}

/** Checks the settings alone (not against a sequence); throws 'bad-input' naming the setting. */
export function checkModelAttention(m: ModelAttention): void {
  const s = m.attention ?? DENSE;
  if (s.kind !== 'dense' && s.kind !== 'block-topk' && s.kind !== 'llsa') {
    throw badInput(`unknown attention "${String((s as { kind: unknown }).kind)}"`, 'use dense, block-topk or llsa');
  }
  if (s.kind !== 'dense') {
    const b = s.blockSize;
    if (!(Number.isInteger(b) && b >= 2 && (b & (b - 1)) === 0)) {
      throw badInput(`the block size must be a power of two ≥ 2 (2, 4, 8, 16 …); got ${b}`);
    }
    if (!(Number.isInteger(s.topK) && s.topK >= 1)) {
      throw badInput(`top-K blocks must be a whole number ≥ 1; got ${s.topK}`);
    }
    if (s.kind === 'llsa' && !(Number.isInteger(s.levels) && s.levels >= 1 && s.levels <= LLSA_MAX_LEVELS)) {
      throw badInput(`LLSA levels must be a whole number from 1 to ${LLSA_MAX_LEVELS}; got ${s.levels}`);
    }
  }
  const r = m.mergeRatio ?? 0;
  if (!(Number.isFinite(r) && r >= 0 && r <= MAX_MERGE_RATIO)) {
    throw badInput(
      `the token-merge ratio must be from 0 (off) to ${MAX_MERGE_RATIO}; got ${r}`,
      'tomesd keeps one token of every 4, so at most 3 in 4 can merge away',
    );
  }
  // Merged sequences have no fixed length, so they cannot promise a multiple of the block hierarchy;
  // the sparse kernels also lack proportional attention's size weights.
  if (r > 0 && s.kind !== 'dense') {
    throw badInput('token merging runs with dense attention only', 'set the attention to dense or the ratio to 0');
  }
}

/** Checks a sparse setting against a sequence of n tokens and h heads; throws 'bad-input'. */
export function checkAttentionFits(s: AttentionSetting, n: number, heads: number): void {
  if (s.kind === 'dense') return;
  const span = attentionSpan(s);
  if (n % span !== 0) {
    const levels = s.kind === 'llsa' ? s.levels : 1;
    throw badInput(
      `${s.kind} attention needs a multiple of B^L = ${span} tokens (B=${s.blockSize}, L=${levels}); got ${n}`,
      `use ${[Math.floor(n / span) * span, Math.ceil(n / span) * span].filter((x) => x > 0).join(' or ')} tokens, or a smaller block size`,
    );
  }
  const layout = hierarchyLayout(n, heads, s.blockSize, s.topK, s.kind === 'llsa' ? s.levels : 1);
  const widest = Math.max(...layout.k.slice(1));
  if (widest > SPARSE_MAX_TOPK) {
    throw badInput(
      `top-K ${s.topK} keeps ${widest} blocks per query block; the kernels take at most ${SPARSE_MAX_TOPK}`,
    );
  }
}

export interface BidirectionalAttentionOptions {
  /** The N tokens are this raster grid (H·W = N, powers of two): sparse kinds pool in Morton order,
   *  so that a block of 4^k tokens is a square patch. Without it: sequence order (1-D text). */
  grid?: GridSize;
  /** Label of the output and the dispatches. Default "attention" (dense), "attention.block-topk" or
   *  "attention.llsa", so that timings tell them apart. */
  label?: string;
}

/** out[i, h] = attention of query i over the keys the setting keeps, per head, bidirectional.
 *  q, k, v [N, H, D] → out [N, H, D]. Sparse kinds need N to be a multiple of B^L ('bad-input'). */
export function bidirectionalAttention(
  gpu: Gpu,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  setting: AttentionSetting,
  opts: BidirectionalAttentionOptions = {},
): Tensor {
  const label = opts.label ?? (setting.kind === 'dense' ? 'attention' : `attention.${setting.kind}`);
  if (setting.kind === 'dense') return attention(gpu, q, k, v, { label }); // [N, H, D]
  checkModelAttention({ attention: setting });
  const [n, heads] = q.shape;
  checkAttentionFits(setting, n, heads);
  const grid = opts.grid;
  // Dense attention is blind to the order of its keys; sparse attention's blocks are runs of the
  // sequence, which on a grid must be square patches.
  const order = (t: Tensor, name: string) => (grid ? toMortonOrder(gpu, t, grid, `${label}.${name}.morton`) : t);
  const [qs, ks, vs] = [order(q, 'q'), order(k, 'k'), order(v, 'v')]; // [N, H, D] each
  const r =
    setting.kind === 'block-topk'
      ? attentionBlockTopk(gpu, qs, ks, vs, { block: setting.blockSize, topk: setting.topK, label })
      : llsa(gpu, qs, ks, vs, { block: setting.blockSize, topk: setting.topK, levels: setting.levels, label });
  const selected = 'indices' in r ? [r.indices] : r.selected;
  for (const t of selected) t.release();
  if (!grid) return r.out; // [N, H, D]
  for (const t of [qs, ks, vs]) t.release();
  const out = fromMortonOrder(gpu, r.out, grid, label); // [N, H, D]
  r.out.release();
  return out;
}
