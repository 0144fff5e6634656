// Non-finite scan: x [N] f32 → out [2] u32: how many values are NaN or ±inf, and the index of the first
// one (0xffffffff when there is none). The samplers run it on each step's logits, so a model that
// produces NaN stops with a message naming the step, and only 8 bytes are read back.
// x is bound as array<u32> and tested on bits (all exponent bits set), so the result does not depend
// on the compiler's float rules (a NaN test on floats may be folded away).
// Tiling: one workgroup of 256 invocations; invocation l visits l, l + 256, …, counting and keeping
// its first hit; a tree reduction in workgroup memory sums the counts and keeps the lowest index.
// Dispatch: 1 workgroup.

struct Params {
  n: u32, // N
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;         // [N] f32 bits
@group(0) @binding(2) var<storage, read_write> out: array<u32>; // [2]: count, first index

const NONE = 0xffffffffu;

var<workgroup> wCount: array<u32, 256>;
var<workgroup> wFirst: array<u32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var count = 0u;
  var first = NONE;
  for (var i = lid; i < params.n; i += 256u) {
    if ((x[i] & 0x7f800000u) == 0x7f800000u) {
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
