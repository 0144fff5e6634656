// Row-wise L2 normalisation, torch.nn.functional.normalize(x, dim=-1, eps):
// y[r, c] = x[r, c] / max(‖x[r, :]‖₂, eps) for x [R, C] (TiTok's quantizer normalises its latents and
// codebook this way).
// Numerics: the squares are summed after dividing by the row's largest |x|, so rows of very large or
// very small values neither overflow nor underflow; the norm is m · √Σ(x/m)². An all-zero row gives 0.
// Tiling: one row per invocation, three passes over it (max, sum of squares, scale); 64 rows per
// workgroup. The rows are short (a codebook vector, a latent token), so there is no reduction to share.
// Dispatch: ceil(R / 64) workgroups, split over x and y when above the per-dimension limit; the linear
// workgroup index is wid.y · nwg.x + wid.x and invocations past R return.

struct Params {
  rows: u32,  // R
  cols: u32,  // C
  eps: f32,   // lower bound of the norm (F.normalize's default 1e-12)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // [R, C]
@group(0) @binding(2) var<storage, read_write> y: array<f32>;  // [R, C]

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (r >= params.rows) { return; }
  let base = r * params.cols;
  var m = 0.0;
  for (var c = 0u; c < params.cols; c++) { m = max(m, abs(x[base + c])); }
  var ss = 0.0;
  if (m > 0.0) {
    for (var c = 0u; c < params.cols; c++) {
      let v = x[base + c] / m;
      ss += v * v;
    }
  }
  let norm = max(m * sqrt(ss), params.eps);
  for (var c = 0u; c < params.cols; c++) { y[base + c] = x[base + c] / norm; }
}
