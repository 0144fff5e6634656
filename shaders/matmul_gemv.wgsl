// Matrix multiply for tiny M (decode: M = 1): out[z, m, n] = Σ_k a[z, m, k] · b[z, k, n] (+ bias[n]),
// each invocation computing one row × 8 columns of out from registers. The register and tiled
// kernels compute blocks of 16 or 64 rows, which for M = 1 is mostly clamped padding; here no work
// is wasted and the kernel streams b once, so it runs at about the adapter's memory bandwidth.
// Measured on SwiftShader at K = 768, N = 3072, it beats the 16×16 register kernel up to M = 4.
//
// Layouts: a is [batch, M, K] row-major; b(k, n) = b[z·strideB + k·bsK + n·bsN] covers [K, N]
// (bsK = N, bsN = 1), a transposed [N, K] (bsK = 1, bsN = K) and one b shared by the batch
// (strideB = 0).
// Edges: column indices are clamped once, before the loop; k runs in steps of 4 with k+1..k+3
// clamped to K−1 and the a values past K zeroed, so K needs no remainder loop; stores skip columns ≥ N.
// No workgroup memory and no barriers, so the same kernel suits CPU adapters and GPUs.
// Dispatch: M · ceil(N / 8) invocations, 32 per workgroup (small groups spread the few hundred
// invocations of one decode row over both cores), split over x and y (linear index
// wid.y · nwg.x + wid.x; invocations past the last block return), and z = batch.

// Params, bindings and the helpers step4 / store4: shaders/common/matmul_io.wgsl.

@compute @workgroup_size(32)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * 32u + lid;
  let tilesN = (params.N + 7u) / 8u;
  if (t >= tilesN * params.M) { return; }
  let m0 = t / tilesN;
  let n0 = (t % tilesN) * 8u;
  let K = params.K;
  let lastN = params.N - 1u;
  let az = wid.z * params.strideA;
  let bz = wid.z * params.strideB;
  let ar0 = az + m0 * K;
  // Column j of the block is b(·, n0 + j) = b[bc<j> + k·bsK]; columns past N repeat the last one.
  let bc0 = bz + min(n0, lastN) * params.bsN;
  let bc1 = bz + min(n0 + 1u, lastN) * params.bsN;
  let bc2 = bz + min(n0 + 2u, lastN) * params.bsN;
  let bc3 = bz + min(n0 + 3u, lastN) * params.bsN;
  let bc4 = bz + min(n0 + 4u, lastN) * params.bsN;
  let bc5 = bz + min(n0 + 5u, lastN) * params.bsN;
  let bc6 = bz + min(n0 + 6u, lastN) * params.bsN;
  let bc7 = bz + min(n0 + 7u, lastN) * params.bsN;
  // acc<r>_<c> = out[m0 + r, n0 + 4c .. n0 + 4c + 3]
  var acc0_0 = vec4f(0.0); var acc0_1 = vec4f(0.0);
  for (var k = 0u; k < K; k += 4u) {
    let k1 = min(k + 1u, K - 1u);
    let k2 = min(k + 2u, K - 1u);
    let k3 = min(k + 3u, K - 1u);
    let km = vec4f(vec4u(k) + vec4u(0u, 1u, 2u, 3u) < vec4u(K)); // 0 for k-steps past K
    // a<r> = a[m0 + r, k .. k + 3]
    let a0 = vec4f(a[ar0 + k], a[ar0 + k1], a[ar0 + k2], a[ar0 + k3]) * km;
    let o0 = k * params.bsK;
    let o1 = k1 * params.bsK;
    let o2 = k2 * params.bsK;
    let o3 = k3 * params.bsK;
    // b<u>_<c> = b(k + u, n0 + 4c .. n0 + 4c + 3)
    let b0_0 = vec4f(b[bc0 + o0], b[bc1 + o0], b[bc2 + o0], b[bc3 + o0]);
    let b0_1 = vec4f(b[bc4 + o0], b[bc5 + o0], b[bc6 + o0], b[bc7 + o0]);
    let b1_0 = vec4f(b[bc0 + o1], b[bc1 + o1], b[bc2 + o1], b[bc3 + o1]);
    let b1_1 = vec4f(b[bc4 + o1], b[bc5 + o1], b[bc6 + o1], b[bc7 + o1]);
    let b2_0 = vec4f(b[bc0 + o2], b[bc1 + o2], b[bc2 + o2], b[bc3 + o2]);
    let b2_1 = vec4f(b[bc4 + o2], b[bc5 + o2], b[bc6 + o2], b[bc7 + o2]);
    let b3_0 = vec4f(b[bc0 + o3], b[bc1 + o3], b[bc2 + o3], b[bc3 + o3]);
    let b3_1 = vec4f(b[bc4 + o3], b[bc5 + o3], b[bc6 + o3], b[bc7 + o3]);
    acc0_0 = step4(acc0_0, a0, b0_0, b1_0, b2_0, b3_0);
    acc0_1 = step4(acc0_1, a0, b0_1, b1_1, b2_1, b3_1);
  }
  let oz = wid.z * params.M * params.N;
  let o = oz + m0 * params.N;
  store4(o, n0, acc0_0);
  store4(o, n0 + 4u, acc0_1);
}
