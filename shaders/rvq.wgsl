// Residual-VQ decoding as a gather-accumulate, writing the latent channel-major for the convolutions:
//   z[c, p] = Σ_{d < depths, 0 ≤ codes[p, d] < K} codebooks[d, codes[p, d], c]
// codes [P, D] (i32, position-major: P positions in raster order, D depths), codebooks [D, K, C]
// (contiguous), z [C, P] (= [C, H, W] for a raster of P = H · W). A code outside [0, K) — the
// generators' mask id K for a token not known yet — contributes nothing, and is never used as an index.
// Tiling: one output element per invocation (consecutive invocations are consecutive positions of one
// channel; the gathers are scattered whichever way round, and the writes stay coalesced); 256 per
// workgroup, the same on every adapter.
// Dispatch: ceil(C · P / 256) workgroups, split over x and y when above the per-dimension limit; the
// linear workgroup index is wid.y · nwg.x + wid.x and invocations past C · P return.

struct Params {
  positions: u32,  // P
  stride: u32,     // D, codes per position
  depths: u32,     // depths summed, 1 … D
  codes: u32,      // K, codes per codebook
  channels: u32,   // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> codes: array<i32>;       // [P, D]
@group(0) @binding(2) var<storage, read> codebooks: array<f32>;   // [D, K, C]
@group(0) @binding(3) var<storage, read_write> z: array<f32>;     // [C, P]

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  let P = params.positions;
  if (i >= params.channels * P) { return; }
  let c = i / P;
  let p = i % P;
  var acc = 0.0;
  for (var d = 0u; d < params.depths; d++) {
    let id = codes[p * params.stride + d];
    if (id >= 0 && u32(id) < params.codes) {
      acc += codebooks[(d * params.codes + u32(id)) * params.channels + c];
    }
  }
  z[i] = acc;
}
