// Rotary position embedding (RoPE), out of place, over x [T, H, D] with D even.
//
// Row t sits at position p = pos0 + t (pos0 > 0 when decoding behind a KV cache), or at positions[t]
// when `has_positions` is 1 (rows picked from anywhere in a sequence, e.g. the masked positions a
// diffusion step recomputes while the rest come from a cache). The first R =
// rotaryDim dims are rotated in R/2 pairs; pair i turns by the angle p · θ^(-2i/R):
//   out[a] = x[a]·cos − x[b]·sin,   out[b] = x[b]·cos + x[a]·sin
// with (a, b) = (i, i + R/2) for `rotate_half` (Llama, HF, MDLM) and (2i, 2i + 1) for `interleaved`
// (GPT-J, RoFormer). Dims R..D pass through unchanged.
// cos/sin come from a table [maxPos, R/2, 2] computed once in float64 on the host: an f32 angle
// p · inv_freq is already off by ~p · 2^-24 rad (2.4e-4 at p = 4000), beyond the 1e-4 tolerance.
// Tiling: one invocation per pair of output dims, D/2 per (t, h) row: invocation j < R/2 rotates
// pair j, invocation j ≥ R/2 copies dims R + 2(j − R/2) and the one after; 256 per workgroup.
// Dispatch: ceil(T·H·D/2 / 256) workgroups, split over x and y when above the per-dimension limit;
// the linear workgroup index is wid.y · nwg.x + wid.x and invocations past T·H·D/2 return.

struct Params {
  n: u32,        // T·H·D/2 invocations
  heads: u32,    // H
  dim: u32,      // D
  rotary: u32,   // R = rotaryDim, even, ≤ D
  pos0: u32,     // position of row t = 0
  has_positions: u32, // 1: row t sits at positions[t]; 0: at pos0 + t (positions is a dummy binding)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;           // [T, H, D]
@group(0) @binding(2) var<storage, read> table: array<f32>;       // [maxPos, R/2, 2] (cos, sin)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;   // [T, H, D]
@group(0) @binding(4) var<storage, read> positions: array<u32>;   // [T] when has_positions

// Rotates dims a and b of x by frequency `pair` at the row's position.
fn rotate(row: u32, pair: u32, a: u32, b: u32) {
  let t = row / params.heads;
  let p = select(params.pos0 + t, positions[t], params.has_positions == 1u);
  let cs = (p * (params.rotary / 2u) + pair) * 2u;
  let c = table[cs];
  let s = table[cs + 1u];
  let xa = x[a];
  let xb = x[b];
  out[a] = xa * c - xb * s;
  out[b] = xb * c + xa * s;
}

// Invocation i's row (t·H + h) and pair index j in [0, D/2).
fn pairOf(i: u32) -> vec2u {
  let half = params.dim / 2u;
  return vec2u(i / half, i % half);
}

// Copies the two pass-through dims owned by pair j ≥ R/2; false when pair j is rotated instead.
fn passThrough(row: u32, j: u32) -> bool {
  let halfRot = params.rotary / 2u;
  if (j < halfRot) { return false; }
  let e = row * params.dim + params.rotary + 2u * (j - halfRot);
  out[e] = x[e];
  out[e + 1u] = x[e + 1u];
  return true;
}

fn index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * 256u + lid;
}

@compute @workgroup_size(256)
fn rotate_half(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  let rj = pairOf(i);
  if (passThrough(rj.x, rj.y)) { return; }
  let a = rj.x * params.dim + rj.y;
  rotate(rj.x, rj.y, a, a + params.rotary / 2u);
}

@compute @workgroup_size(256)
fn interleaved(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  let rj = pairOf(i);
  if (passThrough(rj.x, rj.y)) { return; }
  let a = rj.x * params.dim + 2u * rj.y;
  rotate(rj.x, rj.y, a, a + 1u);
}
