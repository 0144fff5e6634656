// Row-wise argmax: x [R, C] f32 → out [R] i32, the column of each row's largest value.
//
// Order: values are compared through `orderKey`, an integer key of the f32 bits, so the result does
// not depend on the compiler's float rules (NaN folding, denormal flushing): −0 equals +0, and every
// NaN ranks above +inf (as in torch.argmax and numpy.argmax). Ties go to the lowest column.
// x is bound as array<u32>: the kernel only ever looks at bits.
// Entry points (same bindings; the wrapper picks one by adapter class):
// - `thread_per_row` (CPU adapters, no workgroup memory or barriers): one invocation scans one whole row;
//   64 invocations per workgroup. Dispatch: ceil(R / 64) workgroups.
// - `workgroup_per_row` (GPUs): one 256-invocation workgroup per row; invocation l scans columns l, l + 256 …
//   keeping its first best, then a tree reduction in workgroup memory. Dispatch: R workgroups.
// Both split the workgroup count over x and y when above the per-dimension limit; the linear
// workgroup index is wid.y · nwg.x + wid.x and work past R is skipped.

struct Params {
  rows: u32,   // R
  cols: u32,   // C ≥ 1
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;           // [R, C] f32 bits
@group(0) @binding(2) var<storage, read_write> out: array<i32>;   // [R]

const NONE = 0xffffffffu; // no column yet; every real key (≥ 0x007fffff) beats key 0

// An unsigned key whose order is the float order of bits b, with −0 = +0 and NaN above +inf.
fn orderKey(b: u32) -> u32 {
  if ((b & 0x7fffffffu) > 0x7f800000u) { return 0xffffffffu; }
  if (b == 0x80000000u) { return 0x80000000u; }
  if ((b & 0x80000000u) != 0u) { return ~b; }
  return b | 0x80000000u;
}

@compute @workgroup_size(64)
fn thread_per_row(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (r >= params.rows) { return; }
  let base = r * params.cols;
  var best = orderKey(x[base]);
  var bestCol = 0u;
  for (var c = 1u; c < params.cols; c++) {
    let k = orderKey(x[base + c]);
    if (k > best) {
      best = k;
      bestCol = c;
    }
  }
  out[r] = i32(bestCol);
}

var<workgroup> wKey: array<u32, 256>;
var<workgroup> wCol: array<u32, 256>;

@compute @workgroup_size(256)
fn workgroup_per_row(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.y * nwg.x + wid.x;
  if (r >= params.rows) { return; } // uniform across the workgroup, so the barriers below stay valid
  let base = r * params.cols;
  var best = 0u;
  var bestCol = NONE;
  for (var c = lid; c < params.cols; c += 256u) {
    let k = orderKey(x[base + c]);
    if (k > best) {
      best = k;
      bestCol = c;
    }
  }
  wKey[lid] = best;
  wCol[lid] = bestCol;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let k = wKey[lid + s];
      let c = wCol[lid + s];
      if (k > wKey[lid] || (k == wKey[lid] && c < wCol[lid])) {
        wKey[lid] = k;
        wCol[lid] = c;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u) { out[r] = i32(wCol[0]); }
}
