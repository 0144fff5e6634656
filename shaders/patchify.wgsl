// Non-overlapping p×p patches of a channel-major image as rows: the im2col of a stride-p, p×p
// convolution (a ViT's patch embedding, which is then one matmul with the weight [Cout, C·p·p]):
// x [C, H, W] → out [(H/p)·(W/p), C·p·p],
// out[gy·(W/p) + gx, (c·p + ky)·p + kx] = x[c, gy·p + ky, gx·p + kx]
// (patches in raster order, and within a row the order of a conv weight [Cout, C, p, p] flattened).
// Tiling: one output element per invocation; 256 invocations per workgroup (a gather: no reuse).
// Dispatch: ceil(C · H · W / 256) workgroups, split over x and y when above the per-dimension limit;
// the linear workgroup index is wid.y · nwg.x + wid.x and invocations past the end return.

struct Params {
  n: u32,       // C · H · W outputs
  height: u32,  // H
  width: u32,   // W
  side: u32,    // p, the patch side, which divides H and W
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;          // [C, H, W]
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // [(H/p)·(W/p), C·p·p]

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 256u + lid;
  if (i >= params.n) { return; }
  let p = params.side;
  let row_len = params.n / ((params.height / p) * (params.width / p)); // C·p·p
  let g = i / row_len;
  let j = i % row_len;
  let gx = g % (params.width / p);
  let gy = g / (params.width / p);
  let kx = j % p;
  let ky = (j / p) % p;
  let c = j / (p * p);
  out[i] = x[(c * params.height + gy * p + ky) * params.width + gx * p + kx];
}
