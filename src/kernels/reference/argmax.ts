// Reference for row-wise argmax, and the value order shared with top-k: −0 = +0, NaN ranks above
// +inf, and between equal values the lower column comes first.

/** True when value a at column ia comes before value b at column ib in descending order. */
export function ranksBefore(a: number, ia: number, b: number, ib: number): boolean {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an !== bn) return an;
  if (!an && a !== b) return a > b;
  return ia < ib;
}

/** x [R, C] (flat, row-major) → [R] column of each row's maximum. */
export function argmaxRef(x: ArrayLike<number>, R: number, C: number): Int32Array {
  const out = new Int32Array(R);
  for (let r = 0; r < R; r++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (ranksBefore(x[r * C + c], c, x[r * C + best], best)) best = c;
    out[r] = best;
  }
  return out;
}
