// Non-finite scan: x [N] f32 → out [2] u32: how many values are NaN or ±inf, and the index of the first
// one (0xffffffff when there is none). The samplers run it on each step's logits, so a model that
// produces NaN stops with a message naming the step, and only 8 bytes are read back.
// x is bound as array<u32> and tested on bits (all exponent bits set), so the result does not depend
// on the compiler's float rules (a NaN test on floats may be folded away).
// Entry points (same bindings; the wrapper picks by adapter class):
// - `workgroup_scan` (GPUs): one workgroup of 256 invocations; invocation l visits l, l + 256, …,
//   counting and keeping its first hit; a tree reduction in workgroup memory sums the counts and keeps
//   the lowest index. Dispatch: 1 workgroup.
// - `partial_scan` then `combine` (CPU adapters, where barriers cost milliseconds): invocation g scans
//   the contiguous chunk [g · chunk, (g + 1) · chunk) and writes its (count, first) pair to out[2g],
//   out[2g + 1]; then one invocation reads those `parts` pairs (bound as x) into the result.
//   Dispatch: ceil(parts / 64) workgroups, then 1.

struct Params {
  n: u32,     // N (partial_scan, workgroup_scan)
  chunk: u32, // values per invocation (partial_scan)
  parts: u32, // invocations of partial_scan, pairs read by combine
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;         // [N] f32 bits (combine: [parts, 2] pairs)
@group(0) @binding(2) var<storage, read_write> out: array<u32>; // [2]: count, first index (partial_scan: [parts, 2])

const NONE = 0xffffffffu;

fn nonFinite(bits: u32) -> bool {
  return (bits & 0x7f800000u) == 0x7f800000u;
}

@compute @workgroup_size(64)
fn partial_scan(@builtin(global_invocation_id) gid: vec3u) {
  let g = gid.x;
  if (g >= params.parts) { return; }
  let end = min(params.n, (g + 1u) * params.chunk);
  var count = 0u;
  var first = NONE;
  for (var i = g * params.chunk; i < end; i++) {
    if (nonFinite(x[i])) {
      if (count == 0u) { first = i; }
      count += 1u;
    }
  }
  out[2u * g] = count;
  out[2u * g + 1u] = first;
}

@compute @workgroup_size(1)
fn combine() {
  var count = 0u;
  var first = NONE;
  for (var g = 0u; g < params.parts; g++) {
    count += x[2u * g];
    first = min(first, x[2u * g + 1u]);
  }
  out[0] = count;
  out[1] = first;
}

var<workgroup> wCount: array<u32, 256>;
var<workgroup> wFirst: array<u32, 256>;

@compute @workgroup_size(256)
fn workgroup_scan(@builtin(local_invocation_index) lid: u32) {
  var count = 0u;
  var first = NONE;
  for (var i = lid; i < params.n; i += 256u) {
    if (nonFinite(x[i])) {
      count += 1u;
      first = min(first, i);
    }
  }
  wCount[lid] = count;
  wFirst[lid] = first;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (lid < s) {
      wCount[lid] += wCount[lid + s];
      wFirst[lid] = min(wFirst[lid], wFirst[lid + s]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out[0] = wCount[0];
    out[1] = wFirst[0];
  }
}
