// Elementwise activations over flat f32 arrays, and SwiGLU.
//
// Entry points and bindings (x at 1 and out at 2 for all, so the one-input ops and SwiGLU share the
// file; the second SwiGLU input sits at 3):
// - `gelu`:  out[i] = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))), GPT-2's tanh form.
// - `gelu_erf`: out[i] = x · Φ(x) = x · erfc(−x/√2) / 2, the exact GELU (torch.nn.GELU(), BERT's
//   "gelu"). WGSL has no erf: erfc(z) for z ≥ 0 is the Chebyshev fit of Numerical Recipes (§6.2,
//   erfcc), t · exp(−z² + P(t)) with t = 1 / (1 + z/2), fractional error < 1.2e-7 everywhere. The
//   tail Φ(x) for x < 0 is that erfc / 2 itself, never 1 − (1 − small), so GELU of very negative x
//   keeps its relative accuracy (to the ~1e-6 that rounding z² in f32 allows).
// - `tanh`:  out[i] = tanh(x) (argument clamped to ±10, see Numerics).
// - `silu`:  out[i] = x · sigmoid(x).
// - `scale`: out[i] = alpha · x.
// - `swiglu`: out[i] = silu(x[i]) · up[i], gate in x and up at binding 3, all of one shape.
// - `swiglu_fused`: x is [T, 2F] with the gate in columns 0 … F−1 and up in columns F … 2F−1 of each
//   row (one matmul producing both halves); out is [T, F] with out[t, f] = silu(x[t, f]) · x[t, F + f].
// Numerics: tanh's argument is clamped to ±10 (tanh(10) is 1 in f32) because some implementations
// evaluate tanh through exp(2u) and give NaN once it overflows. Past |x| = 10 GELU is x or 0 to f32
// precision, and it returns exactly that: x³ would overflow for huge |x|, and 0.5 · x · (1 + tanh)
// with a tanh one ulp short of −1 would turn x = −1e20 into −3e12. sigmoid only takes exp of −|x|,
// so it never overflows, and it reaches exactly 0 for very negative x.
// Tiling: one output element per invocation; 256 invocations per workgroup.
// Dispatch: ceil(n / 256) workgroups, split over x and y when above the per-dimension limit; the
// linear workgroup index is wid.y · nwg.x + wid.x and invocations past n return.

struct Params {
  n: u32,      // output elements
  alpha: f32,  // factor of `scale`
  inner: u32,  // F, the columns of each half of a `swiglu_fused` row
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;          // [n], or [T, 2F] for swiglu_fused
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // [n]
@group(0) @binding(3) var<storage, read> up: array<f32>;         // [n], swiglu only

const SQRT_2_OVER_PI: f32 = 0.7978845608028654;

fn index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.y * nwg.x + wid.x) * 256u + lid;
}

fn gelu_of(v: f32) -> f32 {
  if (v >= 10.0) { return v; }
  if (v <= -10.0) { return 0.0; }
  let u = clamp(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v), -10.0, 10.0);
  return 0.5 * v * (1.0 + tanh(u));
}

// Φ(v), the standard normal CDF, from erfc(|v| / √2) (Numerical Recipes' erfcc).
fn normal_cdf(v: f32) -> f32 {
  let z = abs(v) * 0.7071067811865476;
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let half_erfc = 0.5 * t * exp(p - z * z);
  return select(half_erfc, 1.0 - half_erfc, v >= 0.0);
}

fn silu_of(v: f32) -> f32 {
  let e = exp(-abs(v));
  let sigmoid = select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
  return v * sigmoid;
}

@compute @workgroup_size(256)
fn gelu(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = gelu_of(x[i]);
}

@compute @workgroup_size(256)
fn gelu_erf(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = x[i] * normal_cdf(x[i]);
}

@compute @workgroup_size(256)
fn tanh_op(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = tanh(clamp(x[i], -10.0, 10.0));
}

@compute @workgroup_size(256)
fn silu(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = silu_of(x[i]);
}

@compute @workgroup_size(256)
fn scale(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = params.alpha * x[i];
}

@compute @workgroup_size(256)
fn swiglu(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  out[i] = silu_of(x[i]) * up[i];
}

@compute @workgroup_size(256)
fn swiglu_fused(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = index(wid, nwg, lid);
  if (i >= params.n) { return; }
  let f = params.inner;
  let g = (i / f) * 2u * f + i % f;
  out[i] = silu_of(x[g]) * x[g + f];
}
