// Float64 reference for GroupNorm of a channel-major image (two-pass mean and biased variance), with
// the optional SiLU after it.

export function groupNormRef(
  x: ArrayLike<number>, // [C, H, W]
  weight: ArrayLike<number>, // [C]
  bias: ArrayLike<number>, // [C]
  groups: number,
  eps: number,
  silu: boolean,
): Float64Array {
  const C = weight.length;
  const pixels = x.length / C;
  const n = (C / groups) * pixels; // elements per group
  const out = new Float64Array(x.length); // [C, H, W]
  for (let base = 0; base < x.length; base += n) {
    let s = 0;
    for (let e = 0; e < n; e++) s += x[base + e];
    const mean = s / n;
    let q = 0;
    for (let e = 0; e < n; e++) q += (x[base + e] - mean) ** 2;
    const inv = 1 / Math.sqrt(q / n + eps);
    for (let e = base; e < base + n; e++) {
      const c = Math.floor(e / pixels);
      const v = (x[e] - mean) * inv * weight[c] + bias[c];
      out[e] = silu ? v / (1 + Math.exp(-v)) : v;
    }
  }
  return out;
}
