// GroupNorm of a channel-major image (torch.nn.GroupNorm on one image), optionally followed by SiLU:
//   y[c, p] = act((x[c, p] − mean_g) / sqrt(var_g + eps) · weight[c] + bias[c]),  g = c / (C / G)
// where group g is channels [g · C/G, (g + 1) · C/G) at every pixel p: N = (C / G) · H · W values that
// are contiguous in x [C, H, W]. var_g is the biased variance, computed in two passes (mean first, then
// squared deviations) so groups with a large mean keep their precision; the mean is summed as
// x₀ + Σ (x − x₀) / N, as in layernorm.wgsl. act is SiLU when `silu` = 1 (the image decoder always
// follows GroupNorm by SiLU), else the identity.
//
// Two passes, because G is small (8 in the decoder) while C · H · W is not: statistics per group, then
// a normalisation spread over every element.
// - `stats_cpu` (CPU adapters, SwiftShader): one group per invocation, 64 groups per workgroup, no
//   workgroup memory and no barriers. Dispatch: ceil(G / 64) workgroups; invocations past G return.
// - `stats_gpu` (GPUs): one group per workgroup of 256; each invocation sums a strided slice (e = lid,
//   lid + 256, …, so neighbours read neighbouring floats) and a tree reduction in workgroup memory
//   combines the partial sums. Dispatch: G workgroups split by gpu.grid; the group is
//   wid.y · nwg.x + wid.x and workgroups past G return (uniformly, so barriers stay in uniform control flow).
// Both write stats[g] = (mean_g, 1 / sqrt(var_g + eps)).
// - `apply` (every adapter): one output element per invocation, 256 per workgroup. Dispatch:
//   ceil(C · H · W / 256) workgroups split by gpu.grid; invocations past the end return.

struct Params {
  groups: u32,  // G
  group: u32,   // N = (C / G) · H · W, elements per group
  pixels: u32,  // H · W, elements per channel
  eps: f32,     // added to the variance
  silu: u32,    // 1: apply SiLU after the affine map
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;              // [C, H, W]
@group(0) @binding(2) var<storage, read_write> stats: array<vec2f>;  // [G] (mean, 1/σ); written by the stats passes
@group(0) @binding(3) var<storage, read> weight: array<f32>;         // [C], apply only
@group(0) @binding(4) var<storage, read> bias: array<f32>;           // [C], apply only
@group(0) @binding(5) var<storage, read_write> y: array<f32>;        // [C, H, W], apply only

const WG: u32 = 256u;
var<workgroup> partial: array<f32, WG>;

// Sum of v over the workgroup, returned to every invocation. Ends with a barrier so the caller may
// start the next reduction at once.
fn workgroup_sum(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      partial[lid] += partial[lid + s];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(64)
fn stats_cpu(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x * 64u + lid;
  if (g >= params.groups) { return; }
  let n = params.group;
  let base = g * n;
  let pivot = x[base];
  var s = 0.0;
  for (var e = 0u; e < n; e++) { s += x[base + e] - pivot; }
  let mean = pivot + s / f32(n);
  var q = 0.0;
  for (var e = 0u; e < n; e++) {
    let d = x[base + e] - mean;
    q += d * d;
  }
  stats[g] = vec2f(mean, inverseSqrt(q / f32(n) + params.eps));
}

@compute @workgroup_size(256)
fn stats_gpu(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.y * nwg.x + wid.x;
  if (g >= params.groups) { return; }
  let n = params.group;
  let base = g * n;
  let pivot = x[base];
  var s = 0.0;
  for (var e = lid; e < n; e += WG) { s += x[base + e] - pivot; }
  let mean = pivot + workgroup_sum(lid, s) / f32(n);
  var q = 0.0;
  for (var e = lid; e < n; e += WG) {
    let d = x[base + e] - mean;
    q += d * d;
  }
  let inv = inverseSqrt(workgroup_sum(lid, q) / f32(n) + params.eps);
  if (lid == 0u) { stats[g] = vec2f(mean, inv); }
}

fn silu_of(v: f32) -> f32 {
  // sigmoid from exp(−|v|) only, so it never overflows (as in unary.wgsl)
  let e = exp(-abs(v));
  return v * select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
}

@compute @workgroup_size(256)
fn apply(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= params.groups * params.group) { return; }
  let st = stats[i / params.group];
  let c = i / params.pixels;
  let v = (x[i] - st.x) * st.y * weight[c] + bias[c];
  y[i] = select(v, silu_of(v), params.silu != 0u);
}
