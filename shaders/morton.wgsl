// Z-order (Morton) reordering of an H×W token grid (H = 2^a, W = 2^b), rows of C floats per token:
//   to_morton:   out[j, :] = x[raster(j), :]   (raster order → Z order)
//   from_morton: out[t, :] = x[morton(t), :]   (Z order → raster order), the inverse
// Sequence position j holds the token at (y, x) whose bits interleave as …y1 x1 y0 x0 (y above x at
// every level) over the low min(a, b) bits of each; the larger side's remaining high bits sit on top.
// So every run of 4^k consecutive positions (k ≤ min(a, b)) is a 2^k × 2^k square, which is what makes
// 1-D block pooling (LLSA, block top-K) pool square patches. For an 8×8 grid the first 16 positions hold
// raster tokens 0 1 8 9 2 3 10 11 16 17 24 25 18 19 26 27, as in LLSA's gen_permuatations.
//
// Tiling: one output element per invocation, 256 per workgroup; the index maps are computed from
// bits, not read from a table.
// Dispatch: ceil(H·W·C / 256) workgroups, split over x and y when above the per-dimension limit; the
// linear workgroup index is wid.y · nwg.x + wid.x and invocations past H·W·C return.

struct Params {
  log2h: u32,  // a: H = 2^a rows
  log2w: u32,  // b: W = 2^b columns
  cols: u32,   // C floats per token
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;           // [H·W, C]
@group(0) @binding(2) var<storage, read_write> out: array<f32>;   // [H·W, C]

// Raster index y·W + x of Z-order position j.
fn raster_of(j: u32) -> u32 {
  let m = min(params.log2h, params.log2w);
  var y = 0u;
  var x = 0u;
  for (var t = 0u; t < m; t++) {
    x |= ((j >> (2u * t)) & 1u) << t;
    y |= ((j >> (2u * t + 1u)) & 1u) << t;
  }
  let high = j >> (2u * m);
  if (params.log2w > params.log2h) { x |= high << m; } else { y |= high << m; }
  return (y << params.log2w) | x;
}

// Z-order position of raster index r = y·W + x.
fn morton_of(r: u32) -> u32 {
  let m = min(params.log2h, params.log2w);
  let y = r >> params.log2w;
  let x = r & ((1u << params.log2w) - 1u);
  var j = 0u;
  for (var t = 0u; t < m; t++) {
    j |= ((x >> t) & 1u) << (2u * t);
    j |= ((y >> t) & 1u) << (2u * t + 1u);
  }
  let high = select(y >> m, x >> m, params.log2w > params.log2h);
  return j | (high << (2u * m));
}

fn index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * 256u + lid;
}

@compute @workgroup_size(256)
fn to_morton(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = index(wid, nwg, lid);
  let cols = params.cols;
  if (e >= (1u << (params.log2h + params.log2w)) * cols) { return; }
  out[e] = x[raster_of(e / cols) * cols + e % cols];
}

@compute @workgroup_size(256)
fn from_morton(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = index(wid, nwg, lid);
  let cols = params.cols;
  if (e >= (1u << (params.log2h + params.log2w)) * cols) { return; }
  out[e] = x[morton_of(e / cols) * cols + e % cols];
}
