// adaLN operations of diffusion transformers (DiT / MDLM's DDiT), on rows of x [R, C]:
// - `modulate`:  out[r, c] = x[r, c] · (1 + scale[c]) + shift[c]
// - `gated_add`: out[r, c] = x[r, c] + gate[c] · y[r, c]        (the gated residual)
// shift, scale and gate are one [C] vector each, broadcast over rows: the conditioning vector is per
// sequence, not per position.
// Bindings: x at 1, out at 2, then `modulate`: shift at 3, scale at 4; `gated_add`: gate at 3, y at 4.
// Tiling: one element per invocation, 256 per workgroup.
// Dispatch: ceil(R·C / 256) workgroups over x·y; linear index wid.y · nwg.x + wid.x; extra invocations return.

struct Params {
  n: u32,    // R · C
  cols: u32, // C
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;          // [R, C]
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // [R, C]
@group(0) @binding(3) var<storage, read> vec_a: array<f32>;      // [C]: shift, or gate
@group(0) @binding(4) var<storage, read> b: array<f32>;          // [C] scale, or [R, C] y

fn index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * 256u + lid;
}

@compute @workgroup_size(256)
fn modulate(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  let c = i % params.cols;
  out[i] = x[i] * (1.0 + b[c]) + vec_a[c];
}

@compute @workgroup_size(256)
fn gated_add(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = x[i] + vec_a[i % params.cols] * b[i];
}
