// Token merging: undo a merge plan (src/kernels/tome.ts) on y [T − r, C]: every original token takes
// the value of the slot it was merged into, out[t, :] = y[assign[t], :] (ToMe / tomesd unmerge: an
// unmerged token gets its own slot back, a merged src token a copy of its dst's).
//
// Tiling: one output element per invocation, 256 per workgroup.
// Dispatch: ceil(T·C / 256) workgroups, split over x and y when above the per-dimension limit; the
// linear workgroup index is wid.y · nwg.x + wid.x and invocations past T·C return.

struct Params {
  cols: u32,    // C
  tokens: u32,  // T
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> y: array<f32>;              // [T − r, C]
@group(0) @binding(2) var<storage, read> assign: array<i32>;         // [T]
@group(0) @binding(3) var<storage, read_write> out: array<f32>;      // [T, C]

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = (wid.y * nwg.x + wid.x) * 256u + lid;
  let cols = params.cols;
  if (e >= params.tokens * cols) { return; }
  out[e] = y[u32(assign[e / cols]) * cols + e % cols];
}
