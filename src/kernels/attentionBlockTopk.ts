// Block top-K sparse attention (the single-level baseline of LLSA, algorithms.md §1.7): q and k are
// mean-pooled into blocks of B tokens, every query block scores all key blocks (pooled q · pooled k,
// unscaled: ranking only) and keeps the top K, and each query row attends exactly to the K·B tokens
// of its block's selection, with an online softmax over the selected blocks only. Bidirectional.
// Runs LLSA's pipeline with one level and no pooled (coarse) tokens: see llsa.ts for the kernels.
// Selection is O((N/B)²) per head, attention O(N·K·B).

import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { hierarchicalAttention } from './llsa.ts';

export interface BlockTopkOptions {
  /** Tokens per block, B: a power of two ≥ 2 dividing N. Default 16. */
  block?: number;
  /** Key blocks kept per query block, K ≥ 1; more than N/B keeps them all. Default 8. */
  topk?: number;
  /** Multiplies q·k before the softmax; default 1/√D. */
  scale?: number;
  /** Label of the output tensor and the dispatches. Default "attention.blocktopk". */
  label?: string;
}

export interface BlockTopkResult {
  out: Tensor; // [N, H, D]
  /** The key blocks each query block attends to: [N/B, H, min(K, N/B)] i32, best first. */
  indices: Tensor;
}

/** q, k, v [N, H, D] → out [N, H, D] and the selected key blocks. With K·B ≥ N it is dense attention. */
export function attentionBlockTopk(
  gpu: Gpu,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: BlockTopkOptions = {},
): BlockTopkResult {
  const r = hierarchicalAttention(gpu, q, k, v, {
    kernel: 'block top-K attention',
    block: opts.block ?? 16,
    topk: opts.topk ?? 8,
    levels: 1,
    enrich: false,
    scale: opts.scale,
    label: opts.label ?? 'attention.blocktopk',
  });
  return { out: r.out, indices: r.selected[0] };
}
