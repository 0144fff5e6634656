// Float64 reference for multi-head attention: per (query row, query head), the plain
// softmax(scale · q·kᵀ + mask) · v over the keys that row may see, with the max subtracted before exp.

import type { AttentionOptions } from '../attention.ts';

export interface AttentionDims {
  tq: number; // query rows
  tk: number; // key/value rows
  hq: number; // query heads
  hkv: number; // key/value heads (divides hq)
  d: number; // head size
}

/** q [Tq, Hq, D], k and v [Tk, Hkv, D] → out [Tq, Hq, D]. */
export function attentionRef(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  dims: AttentionDims,
  opts: Pick<AttentionOptions, 'scale' | 'causal' | 'qOffset' | 'kvLen'> = {},
): Float64Array {
  const { tq, tk, hq, hkv, d } = dims;
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const kvLen = opts.kvLen ?? tk;
  const qOffset = opts.qOffset ?? 0;
  const out = new Float64Array(tq * hq * d);
  const scores = new Float64Array(tk);
  for (let i = 0; i < tq; i++) {
    const n = opts.causal ? Math.min(kvLen, qOffset + i + 1) : kvLen;
    for (let h = 0; h < hq; h++) {
      const g = Math.floor(h / (hq / hkv));
      const qo = (i * hq + h) * d;
      let max = -Infinity;
      for (let j = 0; j < n; j++) {
        const ko = (j * hkv + g) * d;
        let s = 0;
        for (let c = 0; c < d; c++) s += q[qo + c] * k[ko + c];
        scores[j] = s * scale;
        max = Math.max(max, scores[j]);
      }
      let sum = 0;
      for (let j = 0; j < n; j++) {
        scores[j] = Math.exp(scores[j] - max);
        sum += scores[j];
      }
      for (let j = 0; j < n; j++) {
        const p = scores[j] / sum;
        const vo = (j * hkv + g) * d;
        for (let c = 0; c < d; c++) out[qo + c] += p * v[vo + c];
      }
    }
  }
  return out;
}
