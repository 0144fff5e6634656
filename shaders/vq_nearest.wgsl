// Vector quantisation: the nearest codebook entry of every row,
// ids[n] = argmin_k Σ_d (z[n, d] − e[k, d])² for z [N, D] and a codebook e [K, D], the lowest k on ties
// (torch.argmin). TiTok's quantizer expands the same distance as |z|² + |e|² − 2 z·e; summing the
// squared differences directly is the more accurate form of the same number.
// Tiling: one row of z per invocation, scanning the whole codebook; 64 rows per workgroup. N is small
// (an image's 32 … 256 latent tokens) and each row's scan is K · D multiply-adds with no reuse across
// rows worth staging.
// Dispatch: ceil(N / 64) workgroups, split over x and y when above the per-dimension limit; the linear
// workgroup index is wid.y · nwg.x + wid.x and invocations past N return.

struct Params {
  rows: u32,   // N
  codes: u32,  // K
  dim: u32,    // D
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> z: array<f32>;          // [N, D]
@group(0) @binding(2) var<storage, read> codebook: array<f32>;   // [K, D]
@group(0) @binding(3) var<storage, read_write> ids: array<i32>;  // [N]

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (n >= params.rows) { return; }
  var best = 0u;
  var best_d = 3.0e38;
  for (var k = 0u; k < params.codes; k++) {
    var d = 0.0;
    for (var c = 0u; c < params.dim; c++) {
      let diff = z[n * params.dim + c] - codebook[k * params.dim + c];
      d += diff * diff;
    }
    // Strictly smaller, so the first of equal distances stays (and a NaN distance never wins).
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  ids[n] = i32(best);
}
