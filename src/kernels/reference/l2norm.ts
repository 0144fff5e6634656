// Float64 reference for row-wise L2 normalisation (F.normalize(x, dim=-1)).

/** x [R, C] with each row divided by max(‖row‖₂, eps). */
export function l2NormalizeRef(x: ArrayLike<number>, cols: number, eps = 1e-12): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / cols; r++) {
    let ss = 0;
    for (let c = 0; c < cols; c++) ss += x[r * cols + c] ** 2;
    const norm = Math.max(Math.sqrt(ss), eps);
    for (let c = 0; c < cols; c++) out[r * cols + c] = x[r * cols + c] / norm;
  }
  return out;
}
