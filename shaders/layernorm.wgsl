// LayerNorm over the last dimension: for each row r of x [R, C],
//   y[r, c] = (x[r, c] − mean_r) / sqrt(var_r + eps) · weight[c] + bias[c]
// with the biased variance var_r = mean((x[r, :] − mean_r)²), computed in two passes (mean first,
// then squared deviations) so rows with a large mean keep their precision. The mean is summed as
// x[r, 0] + Σ (x[r, c] − x[r, 0]) / C: the terms are then of the size of the spread, not of the
// mean, so a row like 1000 ± 1 keeps the accuracy of a row like 0 ± 1 in a long f32 sum. `has_bias` = 0 drops the
// bias (weight-only LayerNorm, as in MDLM); the wrapper then binds weight in bias's slot, because an
// entry point must use every binding it is given.
//
// Two variants with the same bindings:
// - `rows_gpu` (GPUs): one row per workgroup of 256 invocations; each invocation sums a strided
//   slice (c = lid, lid + 256, …, so neighbours read neighbouring floats) and a tree reduction in
//   workgroup memory combines the partial sums. Dispatch: R workgroups, split over x and y by
//   gpu.grid; the row is wid.y · nwg.x + wid.x and workgroups past R return (uniformly, so the
//   barriers stay in uniform control flow).
// - `rows_cpu` (CPU adapters, SwiftShader): one row per invocation, 64 rows per workgroup, no
//   workgroup memory and no barriers (each barrier costs a coroutine switch per 4-lane subgroup
//   there). Dispatch: ceil(R / 64) workgroups split by gpu.grid; the row is
//   (wid.y · nwg.x + wid.x) · 64 + lid and invocations past R return.

struct Params {
  rows: u32,      // R
  cols: u32,      // C, the normalised length
  eps: f32,       // added to the variance
  has_bias: u32,  // 1: add bias; 0: weight only
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // [R, C]
@group(0) @binding(2) var<storage, read> weight: array<f32>;   // [C]
@group(0) @binding(3) var<storage, read> bias: array<f32>;     // [C] (weight again when has_bias = 0)
@group(0) @binding(4) var<storage, read_write> y: array<f32>;  // [R, C]

const WG: u32 = 256u;
var<workgroup> partial: array<f32, WG>;

fn shift(c: u32) -> f32 {
  return select(0.0, bias[c], params.has_bias != 0u);
}

// Sum of v over the workgroup, returned to every invocation. Ends with a barrier so the caller may
// start the next reduction at once.
fn workgroup_sum(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      partial[lid] += partial[lid + s];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(256)
fn rows_gpu(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= params.rows) { return; }
  let cols = params.cols;
  let base = row * cols;
  let n = f32(cols);

  let pivot = x[base];
  var s = 0.0;
  for (var c = lid; c < cols; c += WG) { s += x[base + c] - pivot; }
  let mean = pivot + workgroup_sum(lid, s) / n;

  var q = 0.0;
  for (var c = lid; c < cols; c += WG) {
    let d = x[base + c] - mean;
    q += d * d;
  }
  let inv = inverseSqrt(workgroup_sum(lid, q) / n + params.eps);

  for (var c = lid; c < cols; c += WG) {
    y[base + c] = (x[base + c] - mean) * inv * weight[c] + shift(c);
  }
}

@compute @workgroup_size(64)
fn rows_cpu(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (row >= params.rows) { return; }
  let cols = params.cols;
  let base = row * cols;
  let n = f32(cols);

  let pivot = x[base];
  var s = 0.0;
  for (var c = 0u; c < cols; c++) { s += x[base + c] - pivot; }
  let mean = pivot + s / n;

  var q = 0.0;
  for (var c = 0u; c < cols; c++) {
    let d = x[base + c] - mean;
    q += d * d;
  }
  let inv = inverseSqrt(q / n + params.eps);

  for (var c = 0u; c < cols; c++) {
    y[base + c] = (x[base + c] - mean) * inv * weight[c] + shift(c);
  }
}
