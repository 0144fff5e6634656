// Elementwise binary ops over flat f32 arrays: out[i] = a[i] ⊕ b[i mod nb].
//
// Entry points: `add` and `mul`; b is broadcast over rows when it is shorter (b[i % nb], e.g. a bias
// [C] added to [T, C]).
// Tiling: one element per invocation; 256 invocations per workgroup.
// Dispatch: ceil(n / 256) workgroups, split over x and y when above the per-dimension limit; the
// linear workgroup index is wid.y · nwg.x + wid.x and invocations past n return.

struct Params {
  n: u32,     // elements in a and out
  nb: u32,    // elements in b (divides n)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * 256u + lid;
}

@compute @workgroup_size(256)
fn add(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = a[i] + b[i % params.nb];
}

@compute @workgroup_size(256)
fn mul(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = a[i] * b[i % params.nb];
}
