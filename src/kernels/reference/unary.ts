// Float64 references for the activations and SwiGLU (plain formulas, no clamping).

export function geluRef(x: ArrayLike<number>): Float64Array {
  const k = Math.sqrt(2 / Math.PI);
  return Float64Array.from(x, (v) => 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v ** 3))));
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
