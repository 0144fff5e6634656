// Declarations shared by every matmul variant (matmul_naive / _gemv / _register / _tiled.wgsl):
// the uniform parameters, the bindings, and the 4-wide helpers of the register-blocked kernels.
// src/kernels/matmul.ts prepends this file to each variant's source; WGSL has no include.
//
// Layouts: a is [batch, M, K] row-major; b(k, n) = b[z·strideB + k·bsK + n·bsN] covers [K, N]
// (bsK = N, bsN = 1), a transposed [N, K] (bsK = 1, bsN = K) and one b shared by the batch
// (strideB = 0); out is [batch, M, N].

struct Params {
  M: u32,        // rows of a and out
  N: u32,        // columns of out
  K: u32,        // reduction length
  strideA: u32,  // elements between batches of a (M·K)
  strideB: u32,  // elements between batches of b (K·N, or 0 for a shared b)
  bsK: u32,      // element stride of b along k
  bsN: u32,      // element stride of b along n
  hasBias: u32,  // 1: add bias[n]
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

// Four k-steps of one row against a 4-column block: acc += a.x·b0 + a.y·b1 + a.z·b2 + a.w·b3, where
// a holds a[m, k..k+3] and b<u> holds b(k+u, n..n+3).
fn step4(acc: vec4f, a: vec4f, b0: vec4f, b1: vec4f, b2: vec4f, b3: vec4f) -> vec4f {
  return fma(vec4f(a.w), b3, fma(vec4f(a.z), b2, fma(vec4f(a.y), b1, fma(vec4f(a.x), b0, acc))));
}

// Writes out[row + n .. row + n + 3] (+ bias), skipping columns past N.
fn store4(row: u32, n: u32, v: vec4f) {
  for (var j = 0u; j < 4u; j++) {
    let col = n + j;
    if (col < params.N) {
      out[row + col] = v[j] + select(0.0, bias[col], params.hasBias != 0u);
    }
  }
}
