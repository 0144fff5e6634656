// Float64 reference for vector quantisation: the nearest codebook entry of each row.

/** ids [N] of the nearest codebook row (lowest index on ties) for z [N, D] and codebook [K, D];
 *  also each row's squared distances to its nearest and second-nearest entries. */
export function vqNearestRef(
  z: ArrayLike<number>,
  codebook: ArrayLike<number>,
  dim: number,
): { ids: Int32Array; best: Float64Array; second: Float64Array } {
  const N = z.length / dim;
  const K = codebook.length / dim;
  const ids = new Int32Array(N);
  const best = new Float64Array(N).fill(Infinity);
  const second = new Float64Array(N).fill(Infinity);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      let d = 0;
      for (let c = 0; c < dim; c++) d += (z[n * dim + c] - codebook[k * dim + c]) ** 2;
      if (d < best[n]) {
        second[n] = best[n];
        best[n] = d;
        ids[n] = k;
      } else if (d < second[n]) second[n] = d;
    }
  }
  return { ids, best, second };
}
