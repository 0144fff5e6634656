// Float64 reference for LayerNorm over the last dimension (two-pass mean and biased variance).

export function layerNormRef(
  x: ArrayLike<number>, // [R, C]
  weight: ArrayLike<number>, // [C]
  bias: ArrayLike<number> | null, // [C]
  eps: number,
): Float64Array {
  const cols = weight.length;
  const out = new Float64Array(x.length);
  for (let base = 0; base < x.length; base += cols) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += x[base + c];
    const mean = s / cols;
    let q = 0;
    for (let c = 0; c < cols; c++) q += (x[base + c] - mean) ** 2;
    const inv = 1 / Math.sqrt(q / cols + eps);
    for (let c = 0; c < cols; c++) out[base + c] = (x[base + c] - mean) * inv * weight[c] + (bias ? bias[c] : 0);
  }
  return out;
}
