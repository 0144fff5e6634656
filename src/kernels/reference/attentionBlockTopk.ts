// Float64 reference for block top-K attention: LLSA's selection at one level without enrichment
// (algorithms.md §1.7, "Top-K (L=1)"). Each query block of B rows attends exactly to the tokens of
// the K key blocks whose mean-pooled keys score highest against its mean-pooled query.

import { hierarchicalAttentionRef, type SparseAttentionDims } from './llsa.ts';

export interface BlockTopkRefResult {
  out: Float64Array; // [N, H, D]
  indices: Int32Array; // [N/B, H, min(K, N/B)], best first
}

/** q, k, v [N, H, D] → out [N, H, D] and the key blocks each query block selected. */
export function blockTopkRef(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  dims: SparseAttentionDims,
  opts: { block: number; topk: number; scale?: number },
): BlockTopkRefResult {
  const r = hierarchicalAttentionRef(q, k, v, dims, { ...opts, levels: 1, enrich: false });
  return { out: r.out, indices: r.selected[0] };
}
