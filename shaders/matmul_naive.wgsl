// Matrix multiply, one output per invocation: out[z, m, n] = Σ_k a[z, m, k] · b[z, k, n] (+ bias[n]).
// The baseline of the matmul family: simple enough to trust, correct on every shape, and slow.
//
// Layouts: a is [batch, M, K] row-major; b is addressed through strides, b(k, n) = b[z·strideB +
// k·bsK + n·bsN], so one kernel covers b as [K, N] (bsK = N, bsN = 1), as a transposed [N, K]
// (bsK = 1, bsN = K) and as one matrix shared by the whole batch (strideB = 0).
// Tiling: none; 64 invocations per workgroup, each owns out[z, m, n] with (m, n) = divmod(i, N).
// Dispatch: ceil(M·N / 64) workgroups split over x and y (linear index wid.y · nwg.x + wid.x;
// invocations past M·N return), and z = batch.

// Params, bindings and the helpers step4 / store4: shaders/common/matmul_io.wgsl.

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (i >= params.M * params.N) { return; }
  let m = i / params.N;
  let n = i % params.N;
  let ao = wid.z * params.strideA + m * params.K;
  let bo = wid.z * params.strideB + n * params.bsN;
  var acc = 0.0;
  for (var k = 0u; k < params.K; k++) {
    acc = fma(a[ao + k], b[bo + k * params.bsK], acc);
  }
  if (params.hasBias != 0u) { acc += bias[n]; }
  out[wid.z * params.M * params.N + i] = acc;
}
