// Copy bandwidth of the adapter, for the benchmarks' roofline: dst[i] = src[i] over vec4s, 256
// invocations per workgroup. Bytes moved count the read and the write.
//
// Tiling: one vec4 per invocation.
// Dispatch: ceil(n / 256) workgroups, split over x and y when above the per-dimension limit; the
// linear workgroup index is wid.y · nwg.x + wid.x and invocations past n return.

struct Params {
  n: u32, // vec4s to copy
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4f>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= params.n) { return; }
  dst[i] = src[i];
}
