// Matrix multiply for real GPUs: out[z, m, n] = Σ_k a[z, m, k] · b[z, k, n] (+ bias[n]), with
// workgroup-memory tiles. On CPU adapters (SwiftShader) every barrier is a fiber switch per 4-lane
// subgroup, so this runs slower than the naive kernel there; matmul_register.wgsl is the CPU path.
//
// Layouts: a is [batch, M, K] row-major; b(k, n) = b[z·strideB + k·bsK + n·bsN] covers [K, N],
// a transposed [N, K] and a b shared by the batch (strideB = 0), as in matmul_naive.wgsl.
// Tiling: a 16×16 workgroup computes a 64×64 block of out; thread (tx, ty) owns the 4×4 outputs at
// rows ty + 16·i and columns tx + 16·j (strided, so neighbouring threads touch neighbouring words in
// workgroup memory and in out). Per K-tile of 16 the workgroup stages a 64×16 slice of a and a 16×64
// slice of b (4 elements per thread each, read along the contiguous axis, zero-filled past the
// edges, with indices clamped so no read leaves the matrix), then every thread runs 16 steps of
// 4×4 multiply-adds from workgroup memory: two barriers per K-tile.
// Dispatch: (ceil(N / 64), ceil(M / 64), batch) workgroups.

// Params, bindings and the helpers step4 / store4: shaders/common/matmul_io.wgsl.

const TILE = 64u;  // output rows and columns per workgroup
const TK = 16u;    // k per staged slice
// Row pitch of the staged tiles: threads that stage along k write words 64 apart, all in one memory
// bank; a pitch of 65 spreads them over 16 banks.
const PITCH = 65u;

var<workgroup> As: array<f32, 1040>;  // [TK, PITCH]: As[k · PITCH + m]
var<workgroup> Bs: array<f32, 1040>;  // [TK, PITCH]: Bs[k · PITCH + n]

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let M = params.M;
  let N = params.N;
  let K = params.K;
  let m0 = wid.y * TILE;
  let n0 = wid.x * TILE;
  let az = wid.z * params.strideA;
  let bz = wid.z * params.strideB;
  let kContiguous = params.bsK == 1u;  // b is [N, K]
  var acc: array<vec4f, 4>;  // acc[i][j] = out[m0 + ty + 16i, n0 + tx + 16j]
  for (var k0 = 0u; k0 < K; k0 += TK) {
    for (var e = li; e < TILE * TK; e += 256u) {
      // a: consecutive threads walk along k (contiguous in a row of a)
      let am = e / TK;
      let ak = e % TK;
      let gm = m0 + am;
      let gk = k0 + ak;
      As[ak * PITCH + am] = select(0.0, a[az + min(gm, M - 1u) * K + min(gk, K - 1u)], gm < M && gk < K);
      // b: consecutive threads walk along whichever of k and n is contiguous in memory
      let bk = select(e / TILE, e % TK, kContiguous);
      let bn = select(e % TILE, e / TK, kContiguous);
      let hk = k0 + bk;
      let hn = n0 + bn;
      Bs[bk * PITCH + bn] = select(0.0, b[bz + min(hk, K - 1u) * params.bsK + min(hn, N - 1u) * params.bsN], hk < K && hn < N);
    }
    workgroupBarrier();
    for (var k = 0u; k < TK; k++) {
      let ao = k * PITCH + lid.y;
      let av = vec4f(As[ao], As[ao + 16u], As[ao + 32u], As[ao + 48u]);
      let bo = k * PITCH + lid.x;
      let bv = vec4f(Bs[bo], Bs[bo + 16u], Bs[bo + 32u], Bs[bo + 48u]);
      acc[0] = fma(vec4f(av.x), bv, acc[0]);
      acc[1] = fma(vec4f(av.y), bv, acc[1]);
      acc[2] = fma(vec4f(av.z), bv, acc[2]);
      acc[3] = fma(vec4f(av.w), bv, acc[3]);
    }
    workgroupBarrier();
  }
  let oz = wid.z * M * N;
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y + 16u * i;
    if (m >= M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x + 16u * j;
      if (n < N) {
        out[oz + m * N + n] = acc[i][j] + select(0.0, bias[n], params.hasBias != 0u);
      }
    }
  }
}
