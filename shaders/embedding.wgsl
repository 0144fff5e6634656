// Embedding gather: out[t, c] = table[ids[t], c], and 0 where ids[t] is outside [0, V).
//
// The wrapper cannot see the ids (they live on the GPU), so the range check happens here: an id
// outside the table writes a zero row instead of reading past the end of the buffer.
// Tiling: one output element per invocation (consecutive invocations read consecutive columns of one
// table row); 256 invocations per workgroup.
// Dispatch: ceil(T·C / 256) workgroups, split over x and y when above the per-dimension limit; the
// linear workgroup index is wid.y · nwg.x + wid.x and invocations past T·C return.

struct Params {
  n: u32,      // T·C outputs
  cols: u32,   // C, the row width
  vocab: u32,  // V, rows in the table
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ids: array<i32>;         // [T]
@group(0) @binding(2) var<storage, read> table: array<f32>;       // [V, C]
@group(0) @binding(3) var<storage, read_write> out: array<f32>;   // [T, C]

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= params.n) { return; }
  let id = ids[i / params.cols];
  if (id < 0 || u32(id) >= params.vocab) {
    out[i] = 0.0;
    return;
  }
  out[i] = table[u32(id) * params.cols + i % params.cols];
}
