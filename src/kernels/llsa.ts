// Log-linear Sparse Attention (LLSA, arXiv 2512.16615; `SingleZombie/LLSA`) and the machinery it
// shares with block top-K attention (attentionBlockTopk.ts): bidirectional attention over a hierarchy
// of mean-pooled tokens. Level l holds N/B^l tokens, each the mean of B tokens of level l − 1.
// Selection is dense only at the coarsest level L (top-K of N/B^L × N/B^L scores); every finer level
// picks its top K among the K·B children of its parent's picks. Each query row then attends exactly
// to the fine tokens of its selected blocks plus, with enrichment, the pooled tokens of every level
// (the children of the selected blocks one level up, and all tokens of level L), a level-l token
// weighted B^l. Nothing of size N×N or (N/B)×(N/B) exists below the coarsest level: selection costs
// O(N·K·B) and attention O(N·K·B·L + N·N/B^L).
// Kernels: shaders/attention_llsa_pool.wgsl (pooling), shaders/attention_llsa_select.wgsl (top-K),
// shaders/attention_blocksparse.wgsl (attention). One variant: per-invocation work without workgroup
// memory or barriers, designed for CPU adapters (SwiftShader), which also runs on GPUs.

import poolCode from '../../shaders/attention_llsa_pool.wgsl?raw';
import attendCode from '../../shaders/attention_blocksparse.wgsl?raw';
import selectCode from '../../shaders/attention_llsa_select.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt, expectRank, expectShape, fail } from './checks.ts';

const MAX_HEAD_DIM = 256;
/** The most blocks one query block may keep at any level (the select kernel's list length). */
export const SPARSE_MAX_TOPK = 64;
/** The most levels the attention kernel walks (its per-level arrays). */
export const LLSA_MAX_LEVELS = 8;

export interface LlsaOptions {
  /** Tokens per block at every level, B: a power of two ≥ 2. Default 16 (the paper's). */
  block?: number;
  /** Blocks kept per query block at every level, K ≥ 1, clamped to the candidates. Default 8. */
  topk?: number;
  /** Levels L ≥ 1; N must be a multiple of B^L. Default `llsaLevels(N, B)`. */
  levels?: number;
  /** Multiplies q·k before the softmax; default 1/√D. Selection scores are unscaled (ranking only). */
  scale?: number;
  /** Label of the output tensor and the dispatches. Default "llsa". */
  label?: string;
}

export interface SparseAttentionResult {
  out: Tensor; // [N, H, D]
  /** selected[l − 1]: the level-l tokens (blocks of level l − 1) each level-l query token kept,
   *  [N/B^l, H, k_l] i32, best first. Level 1's are fine key blocks of B tokens. */
  selected: Tensor[];
}

/** The paper's level count: L = ⌊log_B N⌋ − 1 (at least 1), so the coarsest level, where selection
 *  is dense, has between B and B² tokens: N = 1,024 … 4,095 → 1 level, 4,096 … 65,535 → 2 (B = 16). */
export function llsaLevels(n: number, block: number): number {
  if (!(block >= 2)) return 1; // an invalid B is rejected by the checks, not looped on here
  let levels = 0;
  while (block ** (levels + 2) <= n) levels++;
  return Math.max(1, levels);
}

/** Where each level lives in the stacked buffers; the kernels compute the same. */
export interface HierarchyLayout {
  rows: number[]; // rows[l] = N / B^l, l = 0 … L
  k: number[]; // k[l]: selections per (level-l token, head), l = 1 … L (k[0] unused)
  coarseRow: number[]; // coarseRow[l]: first row of level l ≥ 1 in the pooled buffers
  selOffset: number[]; // selOffset[l]: first element of level l's selections in the stacked buffer
  coarseRows: number; // rows of the pooled buffers (levels 1 … L)
  selElements: number; // elements of the stacked selections
}

export function hierarchyLayout(
  n: number,
  heads: number,
  block: number,
  topk: number,
  levels: number,
): HierarchyLayout {
  const rows = Array.from({ length: levels + 1 }, (_, l) => n / block ** l);
  const k = new Array<number>(levels + 1).fill(0);
  k[levels] = Math.min(topk, rows[levels]);
  for (let l = levels - 1; l >= 1; l--) k[l] = Math.min(topk, k[l + 1] * block);
  const coarseRow = new Array<number>(levels + 1).fill(0);
  const selOffset = new Array<number>(levels + 1).fill(0);
  let coarseRows = 0;
  let selElements = 0;
  for (let l = 1; l <= levels; l++) {
    coarseRow[l] = coarseRows;
    selOffset[l] = selElements;
    coarseRows += rows[l];
    selElements += rows[l] * heads * k[l];
  }
  return { rows, k, coarseRow, selOffset, coarseRows, selElements };
}

/** What the block-sparse pipeline runs: LLSA, or (levels 1, no enrichment) block top-K. */
export interface HierarchyConfig {
  kernel: string; // name in error messages
  block: number;
  topk: number;
  levels: number;
  enrich: boolean; // attend the pooled tokens of every level too
  scale?: number;
  label: string;
}

function checkInputs(kernel: string, q: Tensor, k: Tensor, v: Tensor): [number, number, number] {
  for (const t of [q, k, v]) {
    expectDType(kernel, t, 'f32');
    expectRank(kernel, t, 3);
  }
  expectShape(kernel, k, q.shape);
  expectShape(kernel, v, q.shape);
  const [n, heads, d] = q.shape;
  expectPositiveInt(kernel, 'N', n);
  expectPositiveInt(kernel, 'H', heads);
  expectPositiveInt(kernel, 'D', d);
  if (d > MAX_HEAD_DIM) fail(kernel, `head size D=${d} is above the supported ${MAX_HEAD_DIM}`);
  return [n, heads, d];
}

/** Validates the configuration against N and returns the layout (throws a clear message otherwise). */
export function checkHierarchy(
  kernel: string,
  n: number,
  heads: number,
  c: Omit<HierarchyConfig, 'kernel' | 'label'>,
): HierarchyLayout {
  const { block, topk, levels } = c;
  if (!Number.isInteger(block) || block < 2 || (block & (block - 1)) !== 0) {
    fail(kernel, `block size B must be a power of two ≥ 2, got ${block}`);
  }
  if (!Number.isInteger(topk) || topk < 1) fail(kernel, `top-K must be an integer ≥ 1, got ${topk}`);
  if (!Number.isInteger(levels) || levels < 1 || levels > LLSA_MAX_LEVELS) {
    fail(kernel, `levels must be an integer in [1, ${LLSA_MAX_LEVELS}], got ${levels}`);
  }
  const span = block ** levels;
  if (n % span !== 0) {
    fail(
      kernel,
      `N=${n} tokens is not a multiple of B^L = ${span} (B=${block}, L=${levels}): pad the sequence to ${Math.ceil(n / span) * span} tokens or use fewer levels`,
    );
  }
  if (c.scale !== undefined && !Number.isFinite(c.scale)) fail(kernel, `scale must be finite, got ${c.scale}`);
  const layout = hierarchyLayout(n, heads, block, topk, levels);
  const widest = Math.max(...layout.k.slice(1));
  if (widest > SPARSE_MAX_TOPK) {
    fail(kernel, `top-K=${topk} keeps ${widest} blocks per query block, above the supported ${SPARSE_MAX_TOPK}`);
  }
  return layout;
}

/** Pools, selects and attends; see the file comment. q, k, v [N, H, D]. */
export function hierarchicalAttention(
  gpu: Gpu,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  c: HierarchyConfig,
): SparseAttentionResult {
  const [n, heads, d] = checkInputs(c.kernel, q, k, v);
  const layout = checkHierarchy(c.kernel, n, heads, c);
  const { block, levels, label } = c;
  const log2b = Math.log2(block);
  const scale = c.scale ?? 1 / Math.sqrt(d);

  const qc = gpu.empty([layout.coarseRows, heads, d], 'f32', `${label}.qc`); // [Σ N/B^l, H, D]
  const kc = gpu.empty([layout.coarseRows, heads, d], 'f32', `${label}.kc`); // [Σ N/B^l, H, D]
  // Block top-K never reads pooled values; its binding gets a placeholder.
  const vc = gpu.empty(c.enrich ? [layout.coarseRows, heads, d] : [1], 'f32', `${label}.vc`); // [Σ N/B^l, H, D]
  for (let l = 0; l < levels; l++) {
    const rows = layout.rows[l + 1];
    gpu.run({
      label: `${label}.pool`,
      code: poolCode,
      constants: { HEAD_DIM: d },
      params: {
        rows,
        heads,
        log2b,
        src_row: l === 0 ? 0 : layout.coarseRow[l],
        dst_row: layout.coarseRow[l + 1],
        from_fine: l === 0 ? 1 : 0,
        with_v: c.enrich ? 1 : 0,
      },
      bindings: [q, k, v, qc, kc, vc],
      workgroups: gpu.grid(Math.ceil((rows * heads) / 64)),
    });
  }

  const sel = gpu.empty([layout.selElements], 'i32', `${label}.sel`); // stacked [N/B^l, H, k_l]
  for (let l = levels; l >= 1; l--) {
    const rows = layout.rows[l];
    // A coarsest level of a few dozen tokens still spreads over every core.
    const wg = rows * heads < 256 ? 4 : 64;
    gpu.run({
      label: `${label}.select`,
      code: selectCode,
      entryPoint: l === levels ? 'dense_topk' : 'sparse_topk',
      constants: { HEAD_DIM: d, WG: wg },
      params: {
        rows,
        heads,
        log2b,
        row: layout.coarseRow[l],
        k_out: layout.k[l],
        k_parent: l === levels ? 0 : layout.k[l + 1],
        out_off: layout.selOffset[l],
        parent_off: l === levels ? 0 : layout.selOffset[l + 1],
      },
      bindings: [qc, kc, sel],
      workgroups: gpu.grid(Math.ceil((rows * heads) / wg)),
    });
  }

  const out = gpu.empty([n, heads, d], 'f32', label); // [N, H, D]
  // Query rows per invocation: they share their block's selections, so each key load serves all.
  const qr = Math.min(4, block);
  const invocations = (n / qr) * heads;
  // Short sequences get small workgroups, so that they still spread over every core.
  const wg = invocations < 1024 ? 16 : 64;
  gpu.run({
    label,
    code: attendCode,
    constants: { HEAD_DIM: d, QR: qr, WG: wg },
    params: { n, heads, log2b, levels, topk: c.topk, enrich: c.enrich ? 1 : 0, scale },
    bindings: [q, k, v, kc, c.enrich ? vc : kc, sel, out],
    workgroups: gpu.grid(Math.ceil(invocations / wg)),
  });

  const selected: Tensor[] = [];
  for (let l = 1; l <= levels; l++) {
    const shape = [layout.rows[l], heads, layout.k[l]];
    const t = gpu.empty(shape, 'i32', `${label}.selected${l}`); // [N/B^l, H, k_l]
    gpu.copy(sel, layout.selOffset[l], t, 0, layout.rows[l] * heads * layout.k[l]);
    selected.push(t);
  }
  for (const t of [qc, kc, vc, sel]) t.release();
  return { out, selected };
}

/** LLSA: q, k, v [N, H, D] → out [N, H, D] and the blocks selected at every level.
 *  N must be a multiple of B^L (pad the sequence otherwise). */
export function llsa(gpu: Gpu, q: Tensor, k: Tensor, v: Tensor, opts: LlsaOptions = {}): SparseAttentionResult {
  const block = opts.block ?? 16;
  const n = q.shape[0];
  return hierarchicalAttention(gpu, q, k, v, {
    kernel: 'llsa',
    block,
    topk: opts.topk ?? 8,
    levels: opts.levels ?? llsaLevels(n, block),
    enrich: true,
    scale: opts.scale,
    label: opts.label ?? 'llsa',
  });
}
