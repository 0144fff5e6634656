// Token merging, step 2 of a merge plan (src/kernels/tome.ts): rank the src tokens by their best
// similarity (descending, ties to the lower src), merge the top r into their best dst, and lay out
// the merged sequence as ToMe and tomesd do: [unmerged src tokens in rank order, then every dst token
// in dst order], T − r slots. Writes, for every input token t, assign[t] = its slot (the unmerge map;
// a merged src maps to its dst's slot), for every slot the token that opens it (sources), and the
// merged src tokens in rank order with their dst (merged).
//
// Tiling: one token of the src side (invocations 0 … Ts−1) or the dst side (Ts … Ts+Td−1) per
// invocation; a src counts the srcs ranked above it, O(Ts) each. No workgroup memory or barriers.
// Dispatch: ceil((Ts + Td) / 64) workgroups, split over x and y when above the per-dimension limit;
// the linear workgroup index is wid.y · nwg.x + wid.x and invocations past Ts + Td return.

struct Params {
  n_src: u32,  // Ts
  n_dst: u32,  // Td
  r: u32,      // src tokens merged away, ≤ Ts
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> node_idx: array<i32>;        // [Ts] best dst of each src
@group(0) @binding(2) var<storage, read> node_max: array<f32>;        // [Ts] its similarity
@group(0) @binding(3) var<storage, read> src_tok: array<i32>;         // [Ts]
@group(0) @binding(4) var<storage, read> dst_tok: array<i32>;         // [Td]
@group(0) @binding(5) var<storage, read_write> assign: array<i32>;    // [T] slot of each token
@group(0) @binding(6) var<storage, read_write> sources: array<i32>;   // [T − r] first token of each slot
@group(0) @binding(7) var<storage, read_write> merged: array<i32>;    // [max(r, 1), 2] (src token, dst) by rank

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 64u + lid;
  let n_src = params.n_src;
  let r = params.r;
  if (i >= n_src + params.n_dst) { return; }
  let dst_base = n_src - r; // slot of dst 0
  if (i >= n_src) {
    let d = i - n_src;
    let t = dst_tok[d];
    assign[t] = i32(dst_base + d);
    sources[dst_base + d] = t;
    return;
  }
  let score = node_max[i];
  var rank = 0u;
  for (var j = 0u; j < n_src; j++) {
    let o = node_max[j];
    if (o > score || (o == score && j < i)) { rank++; }
  }
  let t = src_tok[i];
  if (rank < r) {
    assign[t] = i32(dst_base) + node_idx[i];
    merged[2u * rank] = t;
    merged[2u * rank + 1u] = node_idx[i];
  } else {
    assign[t] = i32(rank - r);
    sources[rank - r] = t;
  }
}
