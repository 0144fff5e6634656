// Float64 reference for matmul: out[z, m, n] = Σ_k a[z, m, k] · b(z, k, n) (+ bias[n]).

export interface MatmulRefShape {
  batch: number; // leading batch dimension of a and out (1 when unbatched)
  m: number; // rows of a and out
  n: number; // columns of out
  k: number; // reduction length
  transB?: boolean; // b is [N, K] instead of [K, N]
  sharedB?: boolean; // one b for the whole batch instead of one per batch entry
}

export function matmulRef(
  a: ArrayLike<number>, // [batch, M, K]
  b: ArrayLike<number>, // [batch?, K, N], or [batch?, N, K] when transB
  shape: MatmulRefShape,
  bias?: ArrayLike<number>, // [N]
): Float64Array {
  const { batch, m: M, n: N, k: K } = shape;
  const out = new Float64Array(batch * M * N); // [batch, M, N]
  const [bsK, bsN] = shape.transB ? [1, K] : [N, 1];
  for (let z = 0; z < batch; z++) {
    const ao = z * M * K;
    const bo = shape.sharedB ? 0 : z * K * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = bias ? bias[j] : 0;
        for (let p = 0; p < K; p++) s += a[ao + i * K + p] * b[bo + p * bsK + j * bsN];
        out[(z * M + i) * N + j] = s;
      }
    }
  }
  return out;
}
