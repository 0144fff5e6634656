// Reference for row-wise top-k, in the order of argmax's reference (−0 = +0, NaN above +inf, ties
// to the lower column).

import { ranksBefore } from './argmax.ts';

/** x [R, C] (flat, row-major) → values [R, k] and their columns [R, k], descending. */
export function topkRef(
  x: ArrayLike<number>,
  R: number,
  C: number,
  k: number,
): { values: Float64Array; indices: Int32Array } {
  const values = new Float64Array(R * k);
  const indices = new Int32Array(R * k);
  for (let r = 0; r < R; r++) {
    const cols = Array.from({ length: C }, (_, c) => c);
    cols.sort((a, b) => (ranksBefore(x[r * C + a], a, x[r * C + b], b) ? -1 : 1));
    for (let i = 0; i < k; i++) {
      indices[r * k + i] = cols[i];
      values[r * k + i] = x[r * C + cols[i]];
    }
  }
  return { values, indices };
}
