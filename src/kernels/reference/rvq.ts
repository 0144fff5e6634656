// Float64 reference for residual-VQ decoding (codes outside [0, K) contribute zero).

export function rvqDecodeRef(
  codes: ArrayLike<number>, // [P, D]
  codebooks: ArrayLike<number>, // [D, K, C]
  shape: { depthCount: number; codes: number; channels: number }, // D, K, C
  depths: number,
): Float64Array {
  const { depthCount: D, codes: K, channels: C } = shape;
  const P = codes.length / D;
  const z = new Float64Array(C * P); // [C, P]
  for (let p = 0; p < P; p++) {
    for (let d = 0; d < depths; d++) {
      const id = codes[p * D + d];
      if (id < 0 || id >= K) continue;
      for (let c = 0; c < C; c++) z[c * P + p] += codebooks[(d * K + id) * C + c];
    }
  }
  return z;
}
