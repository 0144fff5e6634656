// Float64 references for token merging, written as the ToMe / tomesd code reads: a dense src×dst
// cosine score matrix, row max and argmax, an argsort of the row maxima, merge as sums of size·x and
// of sizes scattered into slots (merge_wavg), unmerge as a gather; and proportional attention as a
// plain softmax with + ln(size) on every key's logit.

import type { Partition } from '../tome.ts';

export interface MergePlanRef {
  merged: number; // r
  assign: Int32Array; // [T] slot of every token
}

/** metric [T, C] → the plan: the top-r srcs (by best cosine to a dst) merge into that dst. */
export function mergePlanRef(metric: ArrayLike<number>, cols: number, partition: Partition, r: number): MergePlanRef {
  const { src, dst } = partition;
  const tokens = src.length + dst.length;
  const norm = (t: number) => {
    let s = 0;
    for (let c = 0; c < cols; c++) s += metric[t * cols + c] ** 2;
    return Math.sqrt(s);
  };
  const nodeMax = new Float64Array(src.length);
  const nodeIdx = new Int32Array(src.length);
  src.forEach((a, s) => {
    let best = -Infinity;
    dst.forEach((b, d) => {
      let dot = 0;
      for (let c = 0; c < cols; c++) dot += metric[a * cols + c] * metric[b * cols + c];
      const n = norm(a) * norm(b);
      const sim = n > 0 ? dot / n : 0;
      if (sim > best) {
        best = sim;
        nodeIdx[s] = d;
      }
    });
    nodeMax[s] = best;
  });
  const merged = dst.length === 0 ? 0 : Math.min(r, src.length);
  // ToMe's edge_idx: srcs by descending best similarity.
  const srcOrder = Array.from({ length: src.length }, (_, s) => s).sort((x, y) => nodeMax[y] - nodeMax[x] || x - y);
  const assign = new Int32Array(tokens);
  const dstBase = src.length - merged;
  srcOrder.forEach((s, rank) => {
    assign[src[s]] = rank < merged ? dstBase + nodeIdx[s] : rank - merged;
  });
  dst.forEach((t, d) => (assign[t] = dstBase + d));
  return { merged, assign };
}

/** x [T, C] (and size [T], default 1) → merged [T − r, C] and sizes [T − r] (merge_wavg). */
export function mergeRef(
  x: ArrayLike<number>,
  cols: number,
  plan: MergePlanRef,
  size?: ArrayLike<number>,
): { x: Float64Array; size: Float64Array } {
  const tokens = plan.assign.length;
  const kept = tokens - plan.merged;
  const sum = new Float64Array(kept * cols);
  const sizes = new Float64Array(kept);
  for (let t = 0; t < tokens; t++) {
    const p = plan.assign[t];
    const w = size ? size[t] : 1;
    sizes[p] += w;
    for (let c = 0; c < cols; c++) sum[p * cols + c] += w * x[t * cols + c];
  }
  for (let p = 0; p < kept; p++) for (let c = 0; c < cols; c++) sum[p * cols + c] /= sizes[p];
  return { x: sum, size: sizes };
}

/** y [T − r, C] → [T, C], every token copying its slot. */
export function unmergeRef(y: ArrayLike<number>, cols: number, plan: MergePlanRef): Float64Array {
  const out = new Float64Array(plan.assign.length * cols);
  plan.assign.forEach((p, t) => {
    for (let c = 0; c < cols; c++) out[t * cols + c] = y[p * cols + c];
  });
  return out;
}

/** q, k, v [T, H, D], size [T] → softmax(scale · q·kᵀ + ln size) · v per head. */
export function proportionalAttentionRef(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  size: ArrayLike<number>,
  dims: { tokens: number; heads: number; d: number },
  scale = 1 / Math.sqrt(dims.d),
): Float64Array {
  const { tokens, heads, d } = dims;
  const out = new Float64Array(tokens * heads * d);
  const logits = new Float64Array(tokens);
  for (let i = 0; i < tokens; i++) {
    for (let h = 0; h < heads; h++) {
      const qo = (i * heads + h) * d;
      let max = -Infinity;
      for (let j = 0; j < tokens; j++) {
        const ko = (j * heads + h) * d;
        let s = 0;
        for (let c = 0; c < d; c++) s += q[qo + c] * k[ko + c];
        logits[j] = scale * s + Math.log(size[j]);
        max = Math.max(max, logits[j]);
      }
      let sum = 0;
      for (let j = 0; j < tokens; j++) {
        logits[j] = Math.exp(logits[j] - max);
        sum += logits[j];
      }
      for (let j = 0; j < tokens; j++) {
        const vo = (j * heads + h) * d;
        for (let c = 0; c < d; c++) out[qo + c] += (logits[j] / sum) * v[vo + c];
      }
    }
  }
  return out;
}
