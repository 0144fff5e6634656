// Matrix transpose: y[c, r] = x[r, c] for x [R, C] → y [C, R].
// Tiling: one output element per invocation; 256 invocations per workgroup. Used on small activations
// (TiTok's legacy latent reshape, a few dozen rows), so no shared-memory tiles.
// Dispatch: ceil(R · C / 256) workgroups, split over x and y when above the per-dimension limit; the
// linear workgroup index is wid.y · nwg.x + wid.x and invocations past the end return.

struct Params {
  n: u32,     // R · C
  rows: u32,  // R, rows of x (columns of y)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // [R, C]
@group(0) @binding(2) var<storage, read_write> y: array<f32>;  // [C, R]

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= params.n) { return; }
  let cols = params.n / params.rows;
  let c = i / params.rows;
  let r = i % params.rows;
  y[i] = x[r * cols + c];
}
