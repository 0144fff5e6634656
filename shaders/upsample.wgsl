// Nearest-neighbour ×2 upsampling of a channel-major image (torch F.interpolate(scale_factor=2,
// mode="nearest")): y[c, r, col] = x[c, r / 2, col / 2] (integer division), x [C, H, W] → y [C, 2H, 2W].
// Output row ρ = c · 2H + r of y reads input row c · H + r / 2 = ρ / 2 of x, since 2H is even.
// Tiling: one output element per invocation; 256 invocations per workgroup, the same on every adapter
// (no reuse to tile for: each input is read by four neighbouring invocations).
// Dispatch: ceil(4 · C · H · W / 256) workgroups, split over x and y when above the per-dimension
// limit; the linear workgroup index is wid.y · nwg.x + wid.x and invocations past the end return.

struct Params {
  n: u32,      // C · 2H · 2W outputs
  width: u32,  // W, the input width
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // [C, H, W]
@group(0) @binding(2) var<storage, read_write> y: array<f32>;  // [C, 2H, 2W]

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= params.n) { return; }
  let w2 = 2u * params.width;
  y[i] = x[(i / w2 / 2u) * params.width + (i % w2) / 2u];
}
