// Token merging, step 1 of a merge plan (src/kernels/tome.ts): bipartite soft matching. Tokens are
// split into a src side and a dst side (ToMe: even / odd tokens; tomesd: one dst per 2×2 cell); for
// every src token s the most similar dst token by cosine similarity of their metric rows:
//   node_idx[s] = argmax_d cos(metric[src_tok[s]], metric[dst_tok[d]]),  node_max[s] = that cosine
// Ties go to the lower d; a zero metric row has similarity 0 to everything (ToMe would give NaN).
//
// Tiling: one src token per invocation; dst tokens four at a time, so each load of the src row serves
// four dot products, and the dst rows' squared norms accumulate in the same loop. No workgroup memory
// or barriers.
// Dispatch: ceil(Ts / 64) workgroups, split over x and y when above the per-dimension limit; the
// linear workgroup index is wid.y · nwg.x + wid.x and invocations past Ts return.

struct Params {
  cols: u32,  // C: metric floats per token
  n_src: u32, // Ts
  n_dst: u32, // Td ≥ 1
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> metric: array<f32>;          // [T, C]
@group(0) @binding(2) var<storage, read> src_tok: array<i32>;         // [Ts] token of each src
@group(0) @binding(3) var<storage, read> dst_tok: array<i32>;         // [Td] token of each dst
@group(0) @binding(4) var<storage, read_write> node_idx: array<i32>;  // [Ts] best dst
@group(0) @binding(5) var<storage, read_write> node_max: array<f32>;  // [Ts] its cosine

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let s = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (s >= params.n_src) { return; }
  let cols = params.cols;
  let a = u32(src_tok[s]) * cols;
  var aa = 0.0;
  for (var c = 0u; c < cols; c++) { aa += metric[a + c] * metric[a + c]; }

  var best = -2.0; // below every cosine
  var best_d = 0u;
  let last = params.n_dst - 1u;
  for (var d = 0u; d < params.n_dst; d += 4u) {
    // Past the last dst, re-read it; those lanes are never taken (d + t > last).
    let b0 = u32(dst_tok[d]) * cols;
    let b1 = u32(dst_tok[min(d + 1u, last)]) * cols;
    let b2 = u32(dst_tok[min(d + 2u, last)]) * cols;
    let b3 = u32(dst_tok[min(d + 3u, last)]) * cols;
    var ab = vec4f(0.0);
    var bb = vec4f(0.0);
    for (var c = 0u; c < cols; c++) {
      let x = vec4f(metric[b0 + c], metric[b1 + c], metric[b2 + c], metric[b3 + c]);
      ab += metric[a + c] * x;
      bb += x * x;
    }
    let norm = sqrt(aa * bb);
    let sim = select(vec4f(0.0), ab / norm, norm > vec4f(0.0));
    for (var t = 0u; t < 4u; t++) {
      if (d + t <= last && sim[t] > best) {
        best = sim[t];
        best_d = d + t;
      }
    }
  }
  node_idx[s] = i32(best_d);
  node_max[s] = best;
}
