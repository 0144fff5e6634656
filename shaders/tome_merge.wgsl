// Token merging: apply a merge plan (src/kernels/tome.ts) to x [T, C] with token sizes:
//   slot p of the merged sequence = the size-weighted mean of the tokens assigned to it,
//   out_size[p] = the sum of their sizes
// (ToMe's merge_wavg: merge(x·size, sum) / merge(size, sum); with unit sizes tomesd's
// scatter_reduce "mean" including the dst itself). An unmerged slot has one token; a dst slot has
// its dst token and the merged src tokens whose best match it is, found in the plan's rank-ordered
// merged list. The mean is updated incrementally (W += w; mean += (x − mean)·w/W), so tokens that are
// all equal merge to exactly that value and merge → unmerge of identical tokens is the identity.
//
// Tiling: one slot per invocation, all C columns in a loop; a dst slot scans the r merged entries.
// No workgroup memory or barriers.
// Dispatch: ceil((T − r) / 64) workgroups, split over x and y when above the per-dimension limit;
// the linear workgroup index is wid.y · nwg.x + wid.x and invocations past T − r return.

struct Params {
  cols: u32,      // C
  slots: u32,     // T − r
  dst_base: u32,  // first dst slot: Ts − r
  r: u32,         // merged src tokens
  has_size: u32,  // 1: weights from size; 0: every token weighs 1
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;               // [T, C]
@group(0) @binding(2) var<storage, read> size: array<f32>;            // [T] (x when has_size = 0)
@group(0) @binding(3) var<storage, read> sources: array<i32>;         // [T − r]
@group(0) @binding(4) var<storage, read> merged: array<i32>;          // [max(r, 1), 2]
@group(0) @binding(5) var<storage, read_write> out: array<f32>;       // [T − r, C]
@group(0) @binding(6) var<storage, read_write> out_size: array<f32>;  // [T − r]

fn weight(t: u32) -> f32 {
  if (params.has_size != 0u) { return size[t]; }
  return 1.0;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let p = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (p >= params.slots) { return; }
  let cols = params.cols;
  let o = p * cols;
  let first = u32(sources[p]);
  for (var c = 0u; c < cols; c++) { out[o + c] = x[first * cols + c]; }
  var total = weight(first);
  if (p >= params.dst_base) {
    let d = i32(p - params.dst_base);
    for (var j = 0u; j < params.r; j++) {
      if (merged[2u * j + 1u] != d) { continue; }
      let t = u32(merged[2u * j]);
      let w = weight(t);
      total += w;
      let f = w / total;
      for (var c = 0u; c < cols; c++) { out[o + c] += (x[t * cols + c] - out[o + c]) * f; }
    }
  }
  out_size[p] = total;
}
