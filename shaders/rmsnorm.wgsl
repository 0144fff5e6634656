// RMSNorm over the last dimension (Llama): for each row r of x [R, C],
//   y[r, c] = x[r, c] / sqrt(mean(x[r, :]²) + eps) · weight[c]
//
// Two variants with the same bindings:
// - `rows_gpu` (GPUs): one row per workgroup of 256 invocations; each invocation sums the squares
//   of a strided slice (c = lid, lid + 256, …, so neighbours read neighbouring floats) and a tree
//   reduction in workgroup memory combines them. Dispatch: R workgroups, split over x and y by
//   gpu.grid; the row is wid.y · nwg.x + wid.x and workgroups past R return (uniformly, so the
//   barriers stay in uniform control flow).
// - `rows_cpu` (CPU adapters, SwiftShader): one row per invocation, 64 rows per workgroup, no
//   workgroup memory and no barriers (each barrier costs a coroutine switch per 4-lane subgroup
//   there). Dispatch: ceil(R / 64) workgroups split by gpu.grid; the row is
//   (wid.y · nwg.x + wid.x) · 64 + lid and invocations past R return.

struct Params {
  rows: u32,  // R
  cols: u32,  // C, the normalised length
  eps: f32,   // added to the mean square
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // [R, C]
@group(0) @binding(2) var<storage, read> weight: array<f32>;   // [C]
@group(0) @binding(3) var<storage, read_write> y: array<f32>;  // [R, C]

const WG: u32 = 256u;
var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(256)
fn rows_gpu(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= params.rows) { return; }
  let cols = params.cols;
  let base = row * cols;

  var q = 0.0;
  for (var c = lid; c < cols; c += WG) {
    let v = x[base + c];
    q += v * v;
  }
  partial[lid] = q;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      partial[lid] += partial[lid + s];
    }
    workgroupBarrier();
  }
  let inv = inverseSqrt(partial[0] / f32(cols) + params.eps);

  for (var c = lid; c < cols; c += WG) {
    y[base + c] = x[base + c] * inv * weight[c];
  }
}

@compute @workgroup_size(64)
fn rows_cpu(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (row >= params.rows) { return; }
  let cols = params.cols;
  let base = row * cols;

  var q = 0.0;
  for (var c = 0u; c < cols; c++) {
    let v = x[base + c];
    q += v * v;
  }
  let inv = inverseSqrt(q / f32(cols) + params.eps);

  for (var c = 0u; c < cols; c++) {
    y[base + c] = x[base + c] * inv * weight[c];
  }
}
