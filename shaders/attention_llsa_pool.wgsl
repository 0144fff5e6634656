// One level of mean pooling for the block-sparse attention family (block top-K and LLSA,
// src/kernels/llsa.ts): token a of level l+1 is the mean of tokens a·B … a·B+B−1 of level l, per
// head, for q and k (selection) and optionally v (LLSA's coarse values):
//   qc[l+1][a, h, :] = (1/B) Σ_{c<B} x_l[a·B + c, h, :]
// Level 0 is the input q/k/v [N, H, D]; levels 1 … L are stacked in qc/kc/vc [Σ_l N/B^l, H, D]
// (level l starts at row dst_row of the wrapper's layout). Pooling the pooled level again gives the
// mean of the B^(l+1) fine tokens under it, which is what the reference computes.
//
// Tiling: one output (token, head) per invocation, all D columns of q, k (and v) in a loop; no
// workgroup memory or barriers. Invocation index = h · rows + a, so a workgroup reads neighbouring
// input rows of one head.
// Dispatch: ceil(rows · H / WG) workgroups, split over x and y when above the per-dimension limit; the
// linear workgroup index is wid.y · nwg.x + wid.x and invocations past rows · H return.
// Override HEAD_DIM = D.

struct Params {
  rows: u32,       // tokens at level l+1 (= tokens at level l / B)
  heads: u32,      // H
  log2b: u32,      // log2 of the block size B
  src_row: u32,    // first row of level l in the source (0 for level 0 in q/k/v)
  dst_row: u32,    // first row of level l+1 in qc/kc/vc
  from_fine: u32,  // 1: level l is level 0 (read q/k/v); 0: read qc/kc/vc
  with_v: u32,     // 1: pool v too (LLSA's coarse values); 0: q and k only (block top-K)
}

override HEAD_DIM: u32;
override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;           // [N, H, D]
@group(0) @binding(2) var<storage, read> k: array<f32>;           // [N, H, D]
@group(0) @binding(3) var<storage, read> v: array<f32>;           // [N, H, D]
@group(0) @binding(4) var<storage, read_write> qc: array<f32>;    // [Σ_l N/B^l, H, D]
@group(0) @binding(5) var<storage, read_write> kc: array<f32>;    // [Σ_l N/B^l, H, D]
@group(0) @binding(6) var<storage, read_write> vc: array<f32>;    // [Σ_l N/B^l, H, D]

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.y * nwg.x + wid.x) * WG + lid;
  if (idx >= params.rows * params.heads) { return; }
  let h = idx / params.rows;
  let a = idx % params.rows;
  let b = 1u << params.log2b;
  let inv = 1.0 / f32(b);
  let stride = params.heads * HEAD_DIM; // floats between consecutive tokens
  let src = (params.src_row + (a << params.log2b)) * stride + h * HEAD_DIM;
  let dst = (params.dst_row + a) * stride + h * HEAD_DIM;
  for (var c = 0u; c < HEAD_DIM; c++) {
    var sq = 0.0;
    var sk = 0.0;
    var sv = 0.0;
    for (var t = 0u; t < b; t++) {
      let e = src + t * stride + c;
      if (params.from_fine != 0u) {
        sq += q[e];
        sk += k[e];
        if (params.with_v != 0u) { sv += v[e]; }
      } else {
        sq += qc[e];
        sk += kc[e];
        if (params.with_v != 0u) { sv += vc[e]; }
      }
    }
    qc[dst + c] = sq * inv;
    kc[dst + c] = sk * inv;
    if (params.with_v != 0u) { vc[dst + c] = sv * inv; }
  }
}
