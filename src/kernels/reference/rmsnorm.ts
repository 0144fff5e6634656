// Float64 reference for RMSNorm over the last dimension.

export function rmsNormRef(
  x: ArrayLike<number>, // [R, C]
  weight: ArrayLike<number>, // [C]
  eps: number,
): Float64Array {
  const cols = weight.length;
  const out = new Float64Array(x.length);
  for (let base = 0; base < x.length; base += cols) {
    let q = 0;
    for (let c = 0; c < cols; c++) q += x[base + c] ** 2;
    const inv = 1 / Math.sqrt(q / cols + eps);
    for (let c = 0; c < cols; c++) out[base + c] = x[base + c] * inv * weight[c];
  }
  return out;
}
