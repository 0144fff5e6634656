// Matrix multiply for CPU adapters: out[z, m, n] = Σ_k a[z, m, k] · b[z, k, n] (+ bias[n]), each
// invocation computing a 16×16 block of out from registers, with no workgroup memory and no barriers.
//
// Why this shape: on SwiftShader (../shared/reference/webgpu-performance.md §5–6) invocations run 4 to
// an SSE register, every storage load with a computed offset is gathered one scalar per lane, and a
// barrier costs a fiber switch per 4-lane subgroup (workgroup-memory tiling runs slower than the
// naive kernel). An R×C register block needs R + C loads per R·C multiply-adds per k: 16×16 gives
// 16 FLOPs per load, against 4 for 4×4 and 1 for the naive kernel. Measured at 512³: 16×16 is about
// 1.5× 8×8 and 2× 4×4; with the loads removed it would be only ~1.8× faster, so spilled accumulators
// (64 vec4 against 16 SSE registers) now cost about as much as the loads. Larger blocks (16×32,
// 32×16) compile for ~10 s on Subzero against ~2 s here, for no reliable gain. Also measured, and no
// faster: vec4 bindings (the gathers stay per scalar), fixed-size arrays (no arrayLength clamp), and
// atomicLoad (SwiftShader's equal/sequential-offset fast path). vec4 values are four independent
// lanes there, so packing b into vec4 costs nothing, and scalar loads make every K and N legal.
//
// Layouts: a is [batch, M, K] row-major; b(k, n) = b[z·strideB + k·bsK + n·bsN] covers [K, N]
// (bsK = N, bsN = 1), a transposed [N, K] (bsK = 1, bsN = K) and one b shared by the batch
// (strideB = 0); the inner loop is the same for all of them.
// Edges: row and column indices are clamped once, before the loop, so edge invocations recompute
// the last row/column instead of branching; k runs in steps of 4 with k+1..k+3 clamped to K−1 and the
// a values past K zeroed, so K needs no remainder loop. Stores skip rows ≥ M and columns ≥ N.
// The loop is unrolled by hand (SwiftShader does not unroll, and a dynamically indexed array would
// live in memory): 16 rows × 4 column blocks of vec4 accumulators.
// Dispatch: ceil(M / 16) · ceil(N / 16) invocations, 64 per workgroup, split over x and y (linear
// index wid.y · nwg.x + wid.x; invocations past the last block return), and z = batch. Consecutive
// invocations take consecutive column blocks of the same rows, so a 4-lane subgroup reads one run
// of each row of b.

// Params, bindings and the helpers step4 / store4: shaders/common/matmul_io.wgsl.

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * 64u + lid;
  let tilesN = (params.N + 15u) / 16u;
  if (t >= tilesN * ((params.M + 15u) / 16u)) { return; }
  let m0 = (t / tilesN) * 16u;
  let n0 = (t % tilesN) * 16u;
  let K = params.K;
  let lastM = params.M - 1u;
  let lastN = params.N - 1u;
  let az = wid.z * params.strideA;
  let bz = wid.z * params.strideB;
  // Row r of the block starts at a[ar<r>]; rows past M repeat the last row (not stored).
  let ar0 = az + min(m0, lastM) * K;
  let ar1 = az + min(m0 + 1u, lastM) * K;
  let ar2 = az + min(m0 + 2u, lastM) * K;
  let ar3 = az + min(m0 + 3u, lastM) * K;
  let ar4 = az + min(m0 + 4u, lastM) * K;
  let ar5 = az + min(m0 + 5u, lastM) * K;
  let ar6 = az + min(m0 + 6u, lastM) * K;
  let ar7 = az + min(m0 + 7u, lastM) * K;
  let ar8 = az + min(m0 + 8u, lastM) * K;
  let ar9 = az + min(m0 + 9u, lastM) * K;
  let ar10 = az + min(m0 + 10u, lastM) * K;
  let ar11 = az + min(m0 + 11u, lastM) * K;
  let ar12 = az + min(m0 + 12u, lastM) * K;
  let ar13 = az + min(m0 + 13u, lastM) * K;
  let ar14 = az + min(m0 + 14u, lastM) * K;
  let ar15 = az + min(m0 + 15u, lastM) * K;
  // Column j of the block is b(·, n0 + j) = b[bc<j> + k·bsK]; columns past N repeat the last one.
  let bc0 = bz + min(n0, lastN) * params.bsN;
  let bc1 = bz + min(n0 + 1u, lastN) * params.bsN;
  let bc2 = bz + min(n0 + 2u, lastN) * params.bsN;
  let bc3 = bz + min(n0 + 3u, lastN) * params.bsN;
  let bc4 = bz + min(n0 + 4u, lastN) * params.bsN;
  let bc5 = bz + min(n0 + 5u, lastN) * params.bsN;
  let bc6 = bz + min(n0 + 6u, lastN) * params.bsN;
  let bc7 = bz + min(n0 + 7u, lastN) * params.bsN;
  let bc8 = bz + min(n0 + 8u, lastN) * params.bsN;
  let bc9 = bz + min(n0 + 9u, lastN) * params.bsN;
  let bc10 = bz + min(n0 + 10u, lastN) * params.bsN;
  let bc11 = bz + min(n0 + 11u, lastN) * params.bsN;
  let bc12 = bz + min(n0 + 12u, lastN) * params.bsN;
  let bc13 = bz + min(n0 + 13u, lastN) * params.bsN;
  let bc14 = bz + min(n0 + 14u, lastN) * params.bsN;
  let bc15 = bz + min(n0 + 15u, lastN) * params.bsN;
  // acc<r>_<c> = out[m0 + r, n0 + 4c .. n0 + 4c + 3]
  var acc0_0 = vec4f(0.0); var acc0_1 = vec4f(0.0); var acc0_2 = vec4f(0.0); var acc0_3 = vec4f(0.0);
  var acc1_0 = vec4f(0.0); var acc1_1 = vec4f(0.0); var acc1_2 = vec4f(0.0); var acc1_3 = vec4f(0.0);
  var acc2_0 = vec4f(0.0); var acc2_1 = vec4f(0.0); var acc2_2 = vec4f(0.0); var acc2_3 = vec4f(0.0);
  var acc3_0 = vec4f(0.0); var acc3_1 = vec4f(0.0); var acc3_2 = vec4f(0.0); var acc3_3 = vec4f(0.0);
  var acc4_0 = vec4f(0.0); var acc4_1 = vec4f(0.0); var acc4_2 = vec4f(0.0); var acc4_3 = vec4f(0.0);
  var acc5_0 = vec4f(0.0); var acc5_1 = vec4f(0.0); var acc5_2 = vec4f(0.0); var acc5_3 = vec4f(0.0);
  var acc6_0 = vec4f(0.0); var acc6_1 = vec4f(0.0); var acc6_2 = vec4f(0.0); var acc6_3 = vec4f(0.0);
  var acc7_0 = vec4f(0.0); var acc7_1 = vec4f(0.0); var acc7_2 = vec4f(0.0); var acc7_3 = vec4f(0.0);
  var acc8_0 = vec4f(0.0); var acc8_1 = vec4f(0.0); var acc8_2 = vec4f(0.0); var acc8_3 = vec4f(0.0);
  var acc9_0 = vec4f(0.0); var acc9_1 = vec4f(0.0); var acc9_2 = vec4f(0.0); var acc9_3 = vec4f(0.0);
  var acc10_0 = vec4f(0.0); var acc10_1 = vec4f(0.0); var acc10_2 = vec4f(0.0); var acc10_3 = vec4f(0.0);
  var acc11_0 = vec4f(0.0); var acc11_1 = vec4f(0.0); var acc11_2 = vec4f(0.0); var acc11_3 = vec4f(0.0);
  var acc12_0 = vec4f(0.0); var acc12_1 = vec4f(0.0); var acc12_2 = vec4f(0.0); var acc12_3 = vec4f(0.0);
  var acc13_0 = vec4f(0.0); var acc13_1 = vec4f(0.0); var acc13_2 = vec4f(0.0); var acc13_3 = vec4f(0.0);
  var acc14_0 = vec4f(0.0); var acc14_1 = vec4f(0.0); var acc14_2 = vec4f(0.0); var acc14_3 = vec4f(0.0);
  var acc15_0 = vec4f(0.0); var acc15_1 = vec4f(0.0); var acc15_2 = vec4f(0.0); var acc15_3 = vec4f(0.0);
  for (var k = 0u; k < K; k += 4u) {
    let k1 = min(k + 1u, K - 1u);
    let k2 = min(k + 2u, K - 1u);
    let k3 = min(k + 3u, K - 1u);
    let km = vec4f(vec4u(k) + vec4u(0u, 1u, 2u, 3u) < vec4u(K)); // 0 for k-steps past K
    // a<r> = a[m0 + r, k .. k + 3]
    let a0 = vec4f(a[ar0 + k], a[ar0 + k1], a[ar0 + k2], a[ar0 + k3]) * km;
    let a1 = vec4f(a[ar1 + k], a[ar1 + k1], a[ar1 + k2], a[ar1 + k3]) * km;
    let a2 = vec4f(a[ar2 + k], a[ar2 + k1], a[ar2 + k2], a[ar2 + k3]) * km;
    let a3 = vec4f(a[ar3 + k], a[ar3 + k1], a[ar3 + k2], a[ar3 + k3]) * km;
    let a4 = vec4f(a[ar4 + k], a[ar4 + k1], a[ar4 + k2], a[ar4 + k3]) * km;
    let a5 = vec4f(a[ar5 + k], a[ar5 + k1], a[ar5 + k2], a[ar5 + k3]) * km;
    let a6 = vec4f(a[ar6 + k], a[ar6 + k1], a[ar6 + k2], a[ar6 + k3]) * km;
    let a7 = vec4f(a[ar7 + k], a[ar7 + k1], a[ar7 + k2], a[ar7 + k3]) * km;
    let a8 = vec4f(a[ar8 + k], a[ar8 + k1], a[ar8 + k2], a[ar8 + k3]) * km;
    let a9 = vec4f(a[ar9 + k], a[ar9 + k1], a[ar9 + k2], a[ar9 + k3]) * km;
    let a10 = vec4f(a[ar10 + k], a[ar10 + k1], a[ar10 + k2], a[ar10 + k3]) * km;
    let a11 = vec4f(a[ar11 + k], a[ar11 + k1], a[ar11 + k2], a[ar11 + k3]) * km;
    let a12 = vec4f(a[ar12 + k], a[ar12 + k1], a[ar12 + k2], a[ar12 + k3]) * km;
    let a13 = vec4f(a[ar13 + k], a[ar13 + k1], a[ar13 + k2], a[ar13 + k3]) * km;
    let a14 = vec4f(a[ar14 + k], a[ar14 + k1], a[ar14 + k2], a[ar14 + k3]) * km;
    let a15 = vec4f(a[ar15 + k], a[ar15 + k1], a[ar15 + k2], a[ar15 + k3]) * km;
    let o0 = k * params.bsK;
    let o1 = k1 * params.bsK;
    let o2 = k2 * params.bsK;
    let o3 = k3 * params.bsK;
    // b<u>_<c> = b(k + u, n0 + 4c .. n0 + 4c + 3)
    let b0_0 = vec4f(b[bc0 + o0], b[bc1 + o0], b[bc2 + o0], b[bc3 + o0]);
    let b0_1 = vec4f(b[bc4 + o0], b[bc5 + o0], b[bc6 + o0], b[bc7 + o0]);
    let b0_2 = vec4f(b[bc8 + o0], b[bc9 + o0], b[bc10 + o0], b[bc11 + o0]);
    let b0_3 = vec4f(b[bc12 + o0], b[bc13 + o0], b[bc14 + o0], b[bc15 + o0]);
    let b1_0 = vec4f(b[bc0 + o1], b[bc1 + o1], b[bc2 + o1], b[bc3 + o1]);
    let b1_1 = vec4f(b[bc4 + o1], b[bc5 + o1], b[bc6 + o1], b[bc7 + o1]);
    let b1_2 = vec4f(b[bc8 + o1], b[bc9 + o1], b[bc10 + o1], b[bc11 + o1]);
    let b1_3 = vec4f(b[bc12 + o1], b[bc13 + o1], b[bc14 + o1], b[bc15 + o1]);
    let b2_0 = vec4f(b[bc0 + o2], b[bc1 + o2], b[bc2 + o2], b[bc3 + o2]);
    let b2_1 = vec4f(b[bc4 + o2], b[bc5 + o2], b[bc6 + o2], b[bc7 + o2]);
    let b2_2 = vec4f(b[bc8 + o2], b[bc9 + o2], b[bc10 + o2], b[bc11 + o2]);
    let b2_3 = vec4f(b[bc12 + o2], b[bc13 + o2], b[bc14 + o2], b[bc15 + o2]);
    let b3_0 = vec4f(b[bc0 + o3], b[bc1 + o3], b[bc2 + o3], b[bc3 + o3]);
    let b3_1 = vec4f(b[bc4 + o3], b[bc5 + o3], b[bc6 + o3], b[bc7 + o3]);
    let b3_2 = vec4f(b[bc8 + o3], b[bc9 + o3], b[bc10 + o3], b[bc11 + o3]);
    let b3_3 = vec4f(b[bc12 + o3], b[bc13 + o3], b[bc14 + o3], b[bc15 + o3]);
    acc0_0 = step4(acc0_0, a0, b0_0, b1_0, b2_0, b3_0);
    acc0_1 = step4(acc0_1, a0, b0_1, b1_1, b2_1, b3_1);
    acc0_2 = step4(acc0_2, a0, b0_2, b1_2, b2_2, b3_2);
    acc0_3 = step4(acc0_3, a0, b0_3, b1_3, b2_3, b3_3);
    acc1_0 = step4(acc1_0, a1, b0_0, b1_0, b2_0, b3_0);
    acc1_1 = step4(acc1_1, a1, b0_1, b1_1, b2_1, b3_1);
    acc1_2 = step4(acc1_2, a1, b0_2, b1_2, b2_2, b3_2);
    acc1_3 = step4(acc1_3, a1, b0_3, b1_3, b2_3, b3_3);
    acc2_0 = step4(acc2_0, a2, b0_0, b1_0, b2_0, b3_0);
    acc2_1 = step4(acc2_1, a2, b0_1, b1_1, b2_1, b3_1);
    acc2_2 = step4(acc2_2, a2, b0_2, b1_2, b2_2, b3_2);
    acc2_3 = step4(acc2_3, a2, b0_3, b1_3, b2_3, b3_3);
    acc3_0 = step4(acc3_0, a3, b0_0, b1_0, b2_0, b3_0);
    acc3_1 = step4(acc3_1, a3, b0_1, b1_1, b2_1, b3_1);
    acc3_2 = step4(acc3_2, a3, b0_2, b1_2, b2_2, b3_2);
    acc3_3 = step4(acc3_3, a3, b0_3, b1_3, b2_3, b3_3);
    acc4_0 = step4(acc4_0, a4, b0_0, b1_0, b2_0, b3_0);
    acc4_1 = step4(acc4_1, a4, b0_1, b1_1, b2_1, b3_1);
    acc4_2 = step4(acc4_2, a4, b0_2, b1_2, b2_2, b3_2);
    acc4_3 = step4(acc4_3, a4, b0_3, b1_3, b2_3, b3_3);
    acc5_0 = step4(acc5_0, a5, b0_0, b1_0, b2_0, b3_0);
    acc5_1 = step4(acc5_1, a5, b0_1, b1_1, b2_1, b3_1);
    acc5_2 = step4(acc5_2, a5, b0_2, b1_2, b2_2, b3_2);
    acc5_3 = step4(acc5_3, a5, b0_3, b1_3, b2_3, b3_3);
    acc6_0 = step4(acc6_0, a6, b0_0, b1_0, b2_0, b3_0);
    acc6_1 = step4(acc6_1, a6, b0_1, b1_1, b2_1, b3_1);
    acc6_2 = step4(acc6_2, a6, b0_2, b1_2, b2_2, b3_2);
    acc6_3 = step4(acc6_3, a6, b0_3, b1_3, b2_3, b3_3);
    acc7_0 = step4(acc7_0, a7, b0_0, b1_0, b2_0, b3_0);
    acc7_1 = step4(acc7_1, a7, b0_1, b1_1, b2_1, b3_1);
    acc7_2 = step4(acc7_2, a7, b0_2, b1_2, b2_2, b3_2);
    acc7_3 = step4(acc7_3, a7, b0_3, b1_3, b2_3, b3_3);
    acc8_0 = step4(acc8_0, a8, b0_0, b1_0, b2_0, b3_0);
    acc8_1 = step4(acc8_1, a8, b0_1, b1_1, b2_1, b3_1);
    acc8_2 = step4(acc8_2, a8, b0_2, b1_2, b2_2, b3_2);
    acc8_3 = step4(acc8_3, a8, b0_3, b1_3, b2_3, b3_3);
    acc9_0 = step4(acc9_0, a9, b0_0, b1_0, b2_0, b3_0);
    acc9_1 = step4(acc9_1, a9, b0_1, b1_1, b2_1, b3_1);
    acc9_2 = step4(acc9_2, a9, b0_2, b1_2, b2_2, b3_2);
    acc9_3 = step4(acc9_3, a9, b0_3, b1_3, b2_3, b3_3);
    acc10_0 = step4(acc10_0, a10, b0_0, b1_0, b2_0, b3_0);
    acc10_1 = step4(acc10_1, a10, b0_1, b1_1, b2_1, b3_1);
    acc10_2 = step4(acc10_2, a10, b0_2, b1_2, b2_2, b3_2);
    acc10_3 = step4(acc10_3, a10, b0_3, b1_3, b2_3, b3_3);
    acc11_0 = step4(acc11_0, a11, b0_0, b1_0, b2_0, b3_0);
    acc11_1 = step4(acc11_1, a11, b0_1, b1_1, b2_1, b3_1);
    acc11_2 = step4(acc11_2, a11, b0_2, b1_2, b2_2, b3_2);
    acc11_3 = step4(acc11_3, a11, b0_3, b1_3, b2_3, b3_3);
    acc12_0 = step4(acc12_0, a12, b0_0, b1_0, b2_0, b3_0);
    acc12_1 = step4(acc12_1, a12, b0_1, b1_1, b2_1, b3_1);
    acc12_2 = step4(acc12_2, a12, b0_2, b1_2, b2_2, b3_2);
    acc12_3 = step4(acc12_3, a12, b0_3, b1_3, b2_3, b3_3);
    acc13_0 = step4(acc13_0, a13, b0_0, b1_0, b2_0, b3_0);
    acc13_1 = step4(acc13_1, a13, b0_1, b1_1, b2_1, b3_1);
    acc13_2 = step4(acc13_2, a13, b0_2, b1_2, b2_2, b3_2);
    acc13_3 = step4(acc13_3, a13, b0_3, b1_3, b2_3, b3_3);
    acc14_0 = step4(acc14_0, a14, b0_0, b1_0, b2_0, b3_0);
    acc14_1 = step4(acc14_1, a14, b0_1, b1_1, b2_1, b3_1);
    acc14_2 = step4(acc14_2, a14, b0_2, b1_2, b2_2, b3_2);
    acc14_3 = step4(acc14_3, a14, b0_3, b1_3, b2_3, b3_3);
    acc15_0 = step4(acc15_0, a15, b0_0, b1_0, b2_0, b3_0);
    acc15_1 = step4(acc15_1, a15, b0_1, b1_1, b2_1, b3_1);
    acc15_2 = step4(acc15_2, a15, b0_2, b1_2, b2_2, b3_2);
    acc15_3 = step4(acc15_3, a15, b0_3, b1_3, b2_3, b3_3);
  }
  let oz = wid.z * params.M * params.N;
  if (m0 <= lastM) {
    let o = oz + m0 * params.N;
    store4(o, n0, acc0_0);
    store4(o, n0 + 4u, acc0_1);
    store4(o, n0 + 8u, acc0_2);
    store4(o, n0 + 12u, acc0_3);
  }
  if (m0 + 1u <= lastM) {
    let o = oz + (m0 + 1u) * params.N;
    store4(o, n0, acc1_0);
    store4(o, n0 + 4u, acc1_1);
    store4(o, n0 + 8u, acc1_2);
    store4(o, n0 + 12u, acc1_3);
  }
  if (m0 + 2u <= lastM) {
    let o = oz + (m0 + 2u) * params.N;
    store4(o, n0, acc2_0);
    store4(o, n0 + 4u, acc2_1);
    store4(o, n0 + 8u, acc2_2);
    store4(o, n0 + 12u, acc2_3);
  }
  if (m0 + 3u <= lastM) {
    let o = oz + (m0 + 3u) * params.N;
    store4(o, n0, acc3_0);
    store4(o, n0 + 4u, acc3_1);
    store4(o, n0 + 8u, acc3_2);
    store4(o, n0 + 12u, acc3_3);
  }
  if (m0 + 4u <= lastM) {
    let o = oz + (m0 + 4u) * params.N;
    store4(o, n0, acc4_0);
    store4(o, n0 + 4u, acc4_1);
    store4(o, n0 + 8u, acc4_2);
    store4(o, n0 + 12u, acc4_3);
  }
  if (m0 + 5u <= lastM) {
    let o = oz + (m0 + 5u) * params.N;
    store4(o, n0, acc5_0);
    store4(o, n0 + 4u, acc5_1);
    store4(o, n0 + 8u, acc5_2);
    store4(o, n0 + 12u, acc5_3);
  }
  if (m0 + 6u <= lastM) {
    let o = oz + (m0 + 6u) * params.N;
    store4(o, n0, acc6_0);
    store4(o, n0 + 4u, acc6_1);
    store4(o, n0 + 8u, acc6_2);
    store4(o, n0 + 12u, acc6_3);
  }
  if (m0 + 7u <= lastM) {
    let o = oz + (m0 + 7u) * params.N;
    store4(o, n0, acc7_0);
    store4(o, n0 + 4u, acc7_1);
    store4(o, n0 + 8u, acc7_2);
    store4(o, n0 + 12u, acc7_3);
  }
  if (m0 + 8u <= lastM) {
    let o = oz + (m0 + 8u) * params.N;
    store4(o, n0, acc8_0);
    store4(o, n0 + 4u, acc8_1);
    store4(o, n0 + 8u, acc8_2);
    store4(o, n0 + 12u, acc8_3);
  }
  if (m0 + 9u <= lastM) {
    let o = oz + (m0 + 9u) * params.N;
    store4(o, n0, acc9_0);
    store4(o, n0 + 4u, acc9_1);
    store4(o, n0 + 8u, acc9_2);
    store4(o, n0 + 12u, acc9_3);
  }
  if (m0 + 10u <= lastM) {
    let o = oz + (m0 + 10u) * params.N;
    store4(o, n0, acc10_0);
    store4(o, n0 + 4u, acc10_1);
    store4(o, n0 + 8u, acc10_2);
    store4(o, n0 + 12u, acc10_3);
  }
  if (m0 + 11u <= lastM) {
    let o = oz + (m0 + 11u) * params.N;
    store4(o, n0, acc11_0);
    store4(o, n0 + 4u, acc11_1);
    store4(o, n0 + 8u, acc11_2);
    store4(o, n0 + 12u, acc11_3);
  }
  if (m0 + 12u <= lastM) {
    let o = oz + (m0 + 12u) * params.N;
    store4(o, n0, acc12_0);
    store4(o, n0 + 4u, acc12_1);
    store4(o, n0 + 8u, acc12_2);
    store4(o, n0 + 12u, acc12_3);
  }
  if (m0 + 13u <= lastM) {
    let o = oz + (m0 + 13u) * params.N;
    store4(o, n0, acc13_0);
    store4(o, n0 + 4u, acc13_1);
    store4(o, n0 + 8u, acc13_2);
    store4(o, n0 + 12u, acc13_3);
  }
  if (m0 + 14u <= lastM) {
    let o = oz + (m0 + 14u) * params.N;
    store4(o, n0, acc14_0);
    store4(o, n0 + 4u, acc14_1);
    store4(o, n0 + 8u, acc14_2);
    store4(o, n0 + 12u, acc14_3);
  }
  if (m0 + 15u <= lastM) {
    let o = oz + (m0 + 15u) * params.N;
    store4(o, n0, acc15_0);
    store4(o, n0 + 4u, acc15_1);
    store4(o, n0 + 8u, acc15_2);
    store4(o, n0 + 12u, acc15_3);
  }
}
