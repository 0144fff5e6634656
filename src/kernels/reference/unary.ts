// Float64 references for the activations and SwiGLU (plain formulas, no clamping).

export function geluRef(x: ArrayLike<number>): Float64Array {
  const k = Math.sqrt(2 / Math.PI);
  return Float64Array.from(x, (v) => 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v ** 3))));
}

/** erfc(x) in float64, to about 1e-15 relative: the Taylor series of erf for |x| ≤ 1 (where 1 − erf
 *  cancels little), the continued fraction erfc(x) = exp(−x²) / √π · 1 / (x + (1/2) / (x + 1 / (x +
 *  (3/2) / (x + …)))) beyond, 300 terms deep (enough at x = 1). */
export function erfcRef(x: number): number {
  if (x < -1) return 2 - erfcRef(-x);
  if (x <= 1) {
    // erf(x) = 2/√π · Σ (−1)ⁿ x^(2n+1) / (n! (2n + 1))
    let term = x; // (−1)ⁿ x^(2n+1) / n!
    let sum = x;
    for (let n = 1; n < 100 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  let k = x;
  for (let n = 300; n >= 1; n--) k = x + n / 2 / k;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * k);
}

/** The exact GELU, x · Φ(x) = x · erfc(−x / √2) / 2. */
export function geluExactRef(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v) => 0.5 * v * erfcRef(-v / Math.SQRT2));
}

export function tanhRef(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, Math.tanh);
}

function siluOf(v: number): number {
  return v / (1 + Math.exp(-v));
}

export function siluRef(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, siluOf);
}

export function scaleRef(x: ArrayLike<number>, alpha: number): Float64Array {
  return Float64Array.from(x, (v) => alpha * v);
}

export function swigluRef(gate: ArrayLike<number>, up: ArrayLike<number>): Float64Array {
  return Float64Array.from(gate, (g, i) => siluOf(g) * up[i]);
}

/** x is [T, 2F]: gate in columns 0 … F−1, up in F … 2F−1; the result is [T, F]. */
export function swigluFusedRef(x: ArrayLike<number>, inner: number): Float64Array {
  const rows = x.length / (2 * inner);
  const out = new Float64Array(rows * inner);
  for (let t = 0; t < rows; t++) {
    for (let f = 0; f < inner; f++) out[t * inner + f] = siluOf(x[t * 2 * inner + f]) * x[t * 2 * inner + inner + f];
  }
  return out;
}
