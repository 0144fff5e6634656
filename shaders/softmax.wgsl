// Row softmax over the last dimension, with an optional scale and additive mask: for each row r of
// x [R, C], l[c] = x[r, c] · scale + mask[r mod Rm, c], and
//   y[r, c] = exp(l[c] − max(l)) / Σ exp(l − max(l))
// (max-subtracted, so no exp overflows). The mask is [Rm, C] with Rm dividing R (the wrapper passes
// Rm = 1 for a [C] mask, Rm = R for [R, C], Rm = T for a [T, T] mask under [H, T, T] scores).
// WGSL has no infinity literal and may assume none, so a mask value ≤ −1e30 (−Infinity included)
// counts as fully masked: that position gets exactly 0 and takes no part in the max or the sum, and
// a row with every position masked comes out all zeros (not NaN). Inside the kernel a masked logit
// is held as LOWEST, the most negative finite f32. Without a mask (`has_mask` = 0) the wrapper binds
// x in mask's slot, because an entry point must use every binding it is given.
//
// Two variants with the same bindings, three passes over the row each (max, sum, write):
// - `rows_gpu` (GPUs): one row per workgroup of 256 invocations; each invocation covers a strided
//   slice (c = lid, lid + 256, …, so neighbours read neighbouring floats) and tree reductions in
//   workgroup memory combine the partial max and sum. Dispatch: R workgroups, split over x and y by
//   gpu.grid; the row is wid.y · nwg.x + wid.x and workgroups past R return (uniformly, so the
//   barriers stay in uniform control flow).
// - `rows_cpu` (CPU adapters, SwiftShader): one row per invocation, 64 rows per workgroup, no
//   workgroup memory and no barriers (each barrier costs a coroutine switch per 4-lane subgroup
//   there). Dispatch: ceil(R / 64) workgroups split by gpu.grid; the row is
//   (wid.y · nwg.x + wid.x) · 64 + lid and invocations past R return.

struct Params {
  rows: u32,       // R
  cols: u32,       // C, the softmax length
  mask_rows: u32,  // Rm, rows of the mask (1 when there is none)
  has_mask: u32,   // 1: add the mask; 0: no mask
  scale: f32,      // multiplies x before the mask is added
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // [R, C]
@group(0) @binding(2) var<storage, read> mask: array<f32>;     // [Rm, C] (x again when has_mask = 0)
@group(0) @binding(3) var<storage, read_write> y: array<f32>;  // [R, C]

const WG: u32 = 256u;
const LOWEST: f32 = -0x1.fffffep+127f;
const MASKED: f32 = -1e30;
var<workgroup> partial: array<f32, WG>;

fn logit(row: u32, c: u32) -> f32 {
  let v = x[row * params.cols + c] * params.scale;
  if (params.has_mask == 0u) { return v; }
  let m = mask[(row % params.mask_rows) * params.cols + c];
  return select(v + m, LOWEST, m <= MASKED);
}

// exp(l − top) for a live logit, 0 for a masked one (LOWEST − top could overflow to −inf).
fn weight_of(l: f32, top: f32) -> f32 {
  return select(exp(l - top), 0.0, l == LOWEST);
}

// Both reductions end with a barrier so the caller may start the next one at once.
fn workgroup_max(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      partial[lid] = max(partial[lid], partial[lid + s]);
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

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

  var m = LOWEST;
  for (var c = lid; c < cols; c += WG) { m = max(m, logit(row, c)); }
  let top = workgroup_max(lid, m);

  var s = 0.0;
  for (var c = lid; c < cols; c += WG) { s += weight_of(logit(row, c), top); }
  // A fully masked row has s = 0 and every weight 0: dividing by 1 instead keeps its zeros from
  // becoming NaN. Otherwise s ≥ 1, since the max contributes exp(0).
  let inv = 1.0 / max(workgroup_sum(lid, s), select(0.0, 1.0, top == LOWEST));

  for (var c = lid; c < cols; c += WG) {
    y[base + c] = weight_of(logit(row, c), top) * inv;
  }
}

@compute @workgroup_size(64)
fn rows_cpu(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (row >= params.rows) { return; }
  let cols = params.cols;
  let base = row * cols;

  var top = LOWEST;
  for (var c = 0u; c < cols; c++) { top = max(top, logit(row, c)); }

  var s = 0.0;
  for (var c = 0u; c < cols; c++) { s += weight_of(logit(row, c), top); }
  let inv = 1.0 / max(s, select(0.0, 1.0, top == LOWEST));

  for (var c = 0u; c < cols; c++) {
    y[base + c] = weight_of(logit(row, c), top) * inv;
  }
}
