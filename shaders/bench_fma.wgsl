// FMA peak of the adapter, for the benchmarks' ratio-to-ceiling: registers only, no memory traffic
// in the loop. Each invocation runs CHAINS = 16 independent vec4 multiply-add chains, so neither the
// latency of one chain nor (on a GPU) occupancy limits throughput; the chains converge to a fixed
// point (x·m + c with m < 1), so nothing overflows or goes denormal.
//
// FLOPs: invocations · iterations · 16 chains · 4 lanes · 2.
// Tiling: 64 invocations per workgroup; enough workgroups to fill every core (SwiftShader spreads
// workgroups over min(cores, 16) threads) and every SM on a GPU.
// Dispatch: `workgroups` along x (and y when above the per-dimension limit); each invocation writes
// one vec4 (the sum of its chains) so the compiler cannot drop the loop.

struct Params {
  iterations: u32, // loop trips per invocation
  m: f32,          // multiplier, in (0, 1); a uniform so it is not a compile-time constant
  c: f32,          // addend
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<vec4f>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * 64u + lid;
  let m = vec4f(params.m);
  let c = vec4f(params.c);
  let s = f32(i & 255u) * 1e-3;
  var x0 = vec4f(s, s + 0.01, s + 0.02, s + 0.03);
  var x1 = x0 + 0.1;
  var x2 = x0 + 0.2;
  var x3 = x0 + 0.3;
  var x4 = x0 + 0.4;
  var x5 = x0 + 0.5;
  var x6 = x0 + 0.6;
  var x7 = x0 + 0.7;
  var x8 = x0 + 0.8;
  var x9 = x0 + 0.9;
  var x10 = x0 + 1.0;
  var x11 = x0 + 1.1;
  var x12 = x0 + 1.2;
  var x13 = x0 + 1.3;
  var x14 = x0 + 1.4;
  var x15 = x0 + 1.5;
  for (var it = 0u; it < params.iterations; it++) {
    x0 = fma(x0, m, c);
    x1 = fma(x1, m, c);
    x2 = fma(x2, m, c);
    x3 = fma(x3, m, c);
    x4 = fma(x4, m, c);
    x5 = fma(x5, m, c);
    x6 = fma(x6, m, c);
    x7 = fma(x7, m, c);
    x8 = fma(x8, m, c);
    x9 = fma(x9, m, c);
    x10 = fma(x10, m, c);
    x11 = fma(x11, m, c);
    x12 = fma(x12, m, c);
    x13 = fma(x13, m, c);
    x14 = fma(x14, m, c);
    x15 = fma(x15, m, c);
  }
  out[i] = ((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7)) + ((x8 + x9) + (x10 + x11)) + ((x12 + x13) + (x14 + x15));
}
