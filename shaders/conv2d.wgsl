// 2-D convolution of one channel-major image, stride 1, "same" zero padding:
//   y[o, r, c] = bias[o] + Σ_{i < Cin, ky < k, kx < k} weight[o, i, ky, kx] · x[i, r + ky − pad, c + kx − pad]
// with pad = (k − 1) / 2 for an odd kernel side k, and x read as 0 outside the image. x is [Cin, H, W],
// weight [Cout, Cin, k, k] (PyTorch's Conv2d layout), bias [Cout], y [Cout, H, W]. `has_bias` = 0
// drops the bias; the wrapper then binds weight in bias's slot, because an entry point must use every
// binding it is given.
//
// Two variants with the same bindings (the cpu one in two entry points):
// - `conv_cpu` / `conv3_cpu` (CPU adapters, SwiftShader): a register tile of 8 output channels × 8
//   neighbouring pixels of one row per invocation, no workgroup memory and no barriers (each barrier
//   costs a coroutine switch per 4-lane subgroup there, and every load is a per-lane gather, so loads
//   per multiply-add decide speed). A tap costs 8 weight loads for 64 multiply-adds: `conv_cpu` (any
//   k) keeps the 8 pixels under a tap in registers and slides them one pixel per kx (1 load a tap);
//   `conv3_cpu` (k = 3) loads a row's 10 pixels once and unrolls its three taps, which runs about 1.5×
//   faster (no kx loop). Unrolled by hand (SwiftShader does not unroll, and a dynamically indexed
//   array would live in memory). Tiles are numbered block-major: t = (ob · H + r) · ceil(W / 8) + cb
//   for output-channel block ob and column block cb, so neighbouring invocations share weights and
//   read neighbouring pixels.
//   Dispatch: ceil(ceil(Cout / 8) · H · ceil(W / 8) / 64) workgroups of 64, split by gpu.grid; the tile
//   is (wid.y · nwg.x + wid.x) · 64 + lid and invocations past the last tile return.
// - `conv_gpu` (GPUs): a workgroup of 64 computes an 8 × 8 pixel tile for 8 output channels, one pixel
//   and 8 channels (two vec4 accumulators) per invocation. The input is staged in workgroup memory,
//   CHUNK input channels at a time, as the (8 + k − 1)² patch the tile's taps read (halo included, zero
//   outside the image); weights are read from global memory at one address per workgroup (a broadcast).
//   Dispatch: ceil(Cout / 8) · ceil(H / 8) · ceil(W / 8) workgroups, split by gpu.grid; the linear index
//   wid.y · nwg.x + wid.x is (ob · ceil(H / 8) + tr) · ceil(W / 8) + tc, and workgroups past the count
//   return together (so the barriers stay in uniform control flow).
// k ≤ MAX_K sizes the staged patch; the wrapper checks it.

struct Params {
  cin: u32,       // Cin, input channels
  cout: u32,      // Cout, output channels
  height: u32,    // H
  width: u32,     // W
  k: u32,         // kernel side (odd)
  has_bias: u32,  // 1: add bias; 0: no bias
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;        // [Cin, H, W]
@group(0) @binding(2) var<storage, read> weight: array<f32>;   // [Cout, Cin, k, k]
@group(0) @binding(3) var<storage, read> bias: array<f32>;     // [Cout] (weight again when has_bias = 0)
@group(0) @binding(4) var<storage, read_write> y: array<f32>;  // [Cout, H, W]

const MAX_K: u32 = 7u;
const TILE: u32 = 8u;                    // conv_gpu: output pixels per side of a workgroup's tile
const CHUNK: u32 = 8u;                   // conv_gpu: input channels staged at a time
const PATCH: u32 = TILE + MAX_K - 1u;    // largest patch side
var<workgroup> staged: array<f32, CHUNK * PATCH * PATCH>;

fn bias_of(o: u32) -> f32 {
  return select(0.0, bias[o], params.has_bias != 0u);
}

// x[i, r, c] for a row base (i · H + r) · W already known to be inside the image, 0 for c outside it.
fn pixel(row: u32, c: i32) -> f32 {
  let inside = c >= 0 && c < i32(params.width);
  return select(0.0, x[row + u32(select(0, c, inside))], inside);
}

// The tile of a cpu-variant invocation: output channels o0 … o0 + 7 at pixels c0 … c0 + 7 of row r;
// o0 = NO_TILE past the last tile.
struct Tile {
  o0: u32,
  r: u32,
  c0: u32,
}

const NO_TILE: u32 = 0xffffffffu;

fn cpu_tile(wid: vec3u, nwg: vec3u, lid: u32) -> Tile {
  let H = params.height;
  let col_blocks = (params.width + 7u) / 8u;
  let t = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (t >= ((params.cout + 7u) / 8u) * H * col_blocks) { return Tile(NO_TILE, 0u, 0u); }
  return Tile((t / (H * col_blocks)) * 8u, (t / col_blocks) % H, (t % col_blocks) * 8u);
}

// Writes output channels o0 … o0 + 7 at pixel c0 + j of the tile, skipping channels past Cout and
// pixels past W (the edge tiles' padding).
fn store8(tile: Tile, j: u32, lo: vec4f, hi: vec4f) {
  let c = tile.c0 + j;
  if (c >= params.width) { return; }
  let plane = params.height * params.width;
  let at = tile.r * params.width + c;
  let acc = array<vec4f, 2>(lo, hi);
  for (var o = 0u; o < 8u; o++) {
    if (tile.o0 + o >= params.cout) { return; }
    y[(tile.o0 + o) * plane + at] = acc[o / 4u][o % 4u] + bias_of(tile.o0 + o);
  }
}

@compute @workgroup_size(64)
fn conv_cpu(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tile = cpu_tile(wid, nwg, lid);
  if (tile.o0 == NO_TILE) { return; }
  let k = params.k;
  let H = i32(params.height);
  let W = params.width;
  // Weight offsets of the 8 output channels; past Cout they repeat the last one (computed, not stored).
  let per_out = params.cin * k * k;
  let last = params.cout - 1u;
  let w0 = min(tile.o0, last) * per_out;
  let w1 = min(tile.o0 + 1u, last) * per_out;
  let w2 = min(tile.o0 + 2u, last) * per_out;
  let w3 = min(tile.o0 + 3u, last) * per_out;
  let w4 = min(tile.o0 + 4u, last) * per_out;
  let w5 = min(tile.o0 + 5u, last) * per_out;
  let w6 = min(tile.o0 + 6u, last) * per_out;
  let w7 = min(tile.o0 + 7u, last) * per_out;
  // acc<j>_lo / _hi: output channels o0 … o0 + 3 / o0 + 4 … o0 + 7 at pixel c0 + j.
  var acc0_lo = vec4f(0.0); var acc0_hi = vec4f(0.0);
  var acc1_lo = vec4f(0.0); var acc1_hi = vec4f(0.0);
  var acc2_lo = vec4f(0.0); var acc2_hi = vec4f(0.0);
  var acc3_lo = vec4f(0.0); var acc3_hi = vec4f(0.0);
  var acc4_lo = vec4f(0.0); var acc4_hi = vec4f(0.0);
  var acc5_lo = vec4f(0.0); var acc5_hi = vec4f(0.0);
  var acc6_lo = vec4f(0.0); var acc6_hi = vec4f(0.0);
  var acc7_lo = vec4f(0.0); var acc7_hi = vec4f(0.0);
  for (var i = 0u; i < params.cin; i++) {
    for (var ky = 0u; ky < k; ky++) {
      // A row outside the image reads as zeros: its window starts at column W, past every pixel
      // (branch-free, since neighbouring lanes sit on different rows).
      let ry = i32(tile.r + ky) - i32(k / 2u);
      let row_in = ry >= 0 && ry < H;
      let row = (i * params.height + u32(select(0, ry, row_in))) * W;
      let start = select(i32(W), i32(tile.c0) - i32(k / 2u), row_in);
      let tap = (i * k + ky) * k;
      // p<j> = x[i, ry, c0 + j + kx − pad]: the 8-pixel window under tap kx, slid one pixel per tap.
      var p0 = pixel(row, start + 0);
      var p1 = pixel(row, start + 1);
      var p2 = pixel(row, start + 2);
      var p3 = pixel(row, start + 3);
      var p4 = pixel(row, start + 4);
      var p5 = pixel(row, start + 5);
      var p6 = pixel(row, start + 6);
      var p7 = pixel(row, start + 7);
      for (var kx = 0u; kx < k; kx++) {
        let o = tap + kx;
        let lo = vec4f(weight[w0 + o], weight[w1 + o], weight[w2 + o], weight[w3 + o]);
        let hi = vec4f(weight[w4 + o], weight[w5 + o], weight[w6 + o], weight[w7 + o]);
        acc0_lo += lo * p0; acc0_hi += hi * p0;
        acc1_lo += lo * p1; acc1_hi += hi * p1;
        acc2_lo += lo * p2; acc2_hi += hi * p2;
        acc3_lo += lo * p3; acc3_hi += hi * p3;
        acc4_lo += lo * p4; acc4_hi += hi * p4;
        acc5_lo += lo * p5; acc5_hi += hi * p5;
        acc6_lo += lo * p6; acc6_hi += hi * p6;
        acc7_lo += lo * p7; acc7_hi += hi * p7;
        p0 = p1; p1 = p2; p2 = p3; p3 = p4; p4 = p5; p5 = p6; p6 = p7;
        p7 = pixel(row, start + i32(kx) + 8);
      }
    }
  }
  store8(tile, 0u, acc0_lo, acc0_hi);
  store8(tile, 1u, acc1_lo, acc1_hi);
  store8(tile, 2u, acc2_lo, acc2_hi);
  store8(tile, 3u, acc3_lo, acc3_hi);
  store8(tile, 4u, acc4_lo, acc4_hi);
  store8(tile, 5u, acc5_lo, acc5_hi);
  store8(tile, 6u, acc6_lo, acc6_hi);
  store8(tile, 7u, acc7_lo, acc7_hi);
}

@compute @workgroup_size(64)
fn conv3_cpu(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let tile = cpu_tile(wid, nwg, lid);
  if (tile.o0 == NO_TILE) { return; }
  let k = params.k;
  let H = i32(params.height);
  let W = params.width;
  // Weight offsets of the 8 output channels; past Cout they repeat the last one (computed, not stored).
  let per_out = params.cin * k * k;
  let last = params.cout - 1u;
  let w0 = min(tile.o0, last) * per_out;
  let w1 = min(tile.o0 + 1u, last) * per_out;
  let w2 = min(tile.o0 + 2u, last) * per_out;
  let w3 = min(tile.o0 + 3u, last) * per_out;
  let w4 = min(tile.o0 + 4u, last) * per_out;
  let w5 = min(tile.o0 + 5u, last) * per_out;
  let w6 = min(tile.o0 + 6u, last) * per_out;
  let w7 = min(tile.o0 + 7u, last) * per_out;
  // acc<j>_lo / _hi: output channels o0 … o0 + 3 / o0 + 4 … o0 + 7 at pixel c0 + j.
  var acc0_lo = vec4f(0.0); var acc0_hi = vec4f(0.0);
  var acc1_lo = vec4f(0.0); var acc1_hi = vec4f(0.0);
  var acc2_lo = vec4f(0.0); var acc2_hi = vec4f(0.0);
  var acc3_lo = vec4f(0.0); var acc3_hi = vec4f(0.0);
  var acc4_lo = vec4f(0.0); var acc4_hi = vec4f(0.0);
  var acc5_lo = vec4f(0.0); var acc5_hi = vec4f(0.0);
  var acc6_lo = vec4f(0.0); var acc6_hi = vec4f(0.0);
  var acc7_lo = vec4f(0.0); var acc7_hi = vec4f(0.0);
  for (var i = 0u; i < params.cin; i++) {
    for (var ky = 0u; ky < k; ky++) {
      // A row outside the image reads as zeros: its window starts at column W, past every pixel
      // (branch-free, since neighbouring lanes sit on different rows).
      let ry = i32(tile.r + ky) - i32(k / 2u);
      let row_in = ry >= 0 && ry < H;
      let row = (i * params.height + u32(select(0, ry, row_in))) * W;
      let start = select(i32(W), i32(tile.c0) - i32(k / 2u), row_in);
      let tap = (i * k + ky) * k;
      // q<j> = x[i, ry, c0 + j − 1]: the 10 pixels the three taps of this row read.
      let q0 = pixel(row, start + 0);
      let q1 = pixel(row, start + 1);
      let q2 = pixel(row, start + 2);
      let q3 = pixel(row, start + 3);
      let q4 = pixel(row, start + 4);
      let q5 = pixel(row, start + 5);
      let q6 = pixel(row, start + 6);
      let q7 = pixel(row, start + 7);
      let q8 = pixel(row, start + 8);
      let q9 = pixel(row, start + 9);
      {
        let o = tap + 0u;
        let lo = vec4f(weight[w0 + o], weight[w1 + o], weight[w2 + o], weight[w3 + o]);
        let hi = vec4f(weight[w4 + o], weight[w5 + o], weight[w6 + o], weight[w7 + o]);
        acc0_lo += lo * q0; acc0_hi += hi * q0;
        acc1_lo += lo * q1; acc1_hi += hi * q1;
        acc2_lo += lo * q2; acc2_hi += hi * q2;
        acc3_lo += lo * q3; acc3_hi += hi * q3;
        acc4_lo += lo * q4; acc4_hi += hi * q4;
        acc5_lo += lo * q5; acc5_hi += hi * q5;
        acc6_lo += lo * q6; acc6_hi += hi * q6;
        acc7_lo += lo * q7; acc7_hi += hi * q7;
      }
      {
        let o = tap + 1u;
        let lo = vec4f(weight[w0 + o], weight[w1 + o], weight[w2 + o], weight[w3 + o]);
        let hi = vec4f(weight[w4 + o], weight[w5 + o], weight[w6 + o], weight[w7 + o]);
        acc0_lo += lo * q1; acc0_hi += hi * q1;
        acc1_lo += lo * q2; acc1_hi += hi * q2;
        acc2_lo += lo * q3; acc2_hi += hi * q3;
        acc3_lo += lo * q4; acc3_hi += hi * q4;
        acc4_lo += lo * q5; acc4_hi += hi * q5;
        acc5_lo += lo * q6; acc5_hi += hi * q6;
        acc6_lo += lo * q7; acc6_hi += hi * q7;
        acc7_lo += lo * q8; acc7_hi += hi * q8;
      }
      {
        let o = tap + 2u;
        let lo = vec4f(weight[w0 + o], weight[w1 + o], weight[w2 + o], weight[w3 + o]);
        let hi = vec4f(weight[w4 + o], weight[w5 + o], weight[w6 + o], weight[w7 + o]);
        acc0_lo += lo * q2; acc0_hi += hi * q2;
        acc1_lo += lo * q3; acc1_hi += hi * q3;
        acc2_lo += lo * q4; acc2_hi += hi * q4;
        acc3_lo += lo * q5; acc3_hi += hi * q5;
        acc4_lo += lo * q6; acc4_hi += hi * q6;
        acc5_lo += lo * q7; acc5_hi += hi * q7;
        acc6_lo += lo * q8; acc6_hi += hi * q8;
        acc7_lo += lo * q9; acc7_hi += hi * q9;
      }
    }
  }
  store8(tile, 0u, acc0_lo, acc0_hi);
  store8(tile, 1u, acc1_lo, acc1_hi);
  store8(tile, 2u, acc2_lo, acc2_hi);
  store8(tile, 3u, acc3_lo, acc3_hi);
  store8(tile, 4u, acc4_lo, acc4_hi);
  store8(tile, 5u, acc5_lo, acc5_hi);
  store8(tile, 6u, acc6_lo, acc6_hi);
  store8(tile, 7u, acc7_lo, acc7_hi);
}

@compute @workgroup_size(64)
fn conv_gpu(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let H = params.height;
  let W = params.width;
  let k = params.k;
  let kk = k * k;
  let pad = i32(k / 2u);
  let side = TILE + k - 1u;  // this kernel's patch side
  let tile_rows = (H + TILE - 1u) / TILE;
  let tile_cols = (W + TILE - 1u) / TILE;
  let g = wid.y * nwg.x + wid.x;
  if (g >= ((params.cout + 7u) / 8u) * tile_rows * tile_cols) { return; }
  let o0 = (g / (tile_rows * tile_cols)) * 8u;
  let r0 = ((g / tile_cols) % tile_rows) * TILE;
  let c0 = (g % tile_cols) * TILE;
  let lr = lid / TILE;
  let lc = lid % TILE;

  let per_out = params.cin * kk;
  var wo: array<u32, 8>;  // weight offsets of the 8 output channels (the last one repeated past Cout)
  for (var o = 0u; o < 8u; o++) { wo[o] = min(o0 + o, params.cout - 1u) * per_out; }

  var acc_lo = vec4f(0.0);  // output channels o0 … o0 + 3
  var acc_hi = vec4f(0.0);  // output channels o0 + 4 … o0 + 7
  for (var i0 = 0u; i0 < params.cin; i0 += CHUNK) {
    let n = min(CHUNK, params.cin - i0);
    for (var e = lid; e < n * side * side; e += 64u) {
      let ci = e / (side * side);
      let pr = i32(r0 + (e / side) % side) - pad;
      let pc = i32(c0 + e % side) - pad;
      let inside = pr >= 0 && pr < i32(H) && pc >= 0 && pc < i32(W);
      var v = 0.0;
      if (inside) { v = x[((i0 + ci) * H + u32(pr)) * W + u32(pc)]; }
      staged[e] = v;
    }
    workgroupBarrier();
    for (var ci = 0u; ci < n; ci++) {
      for (var ky = 0u; ky < k; ky++) {
        let prow = (ci * side + lr + ky) * side + lc;
        let tap = (i0 + ci) * kk + ky * k;
        for (var kx = 0u; kx < k; kx++) {
          let v = staged[prow + kx];
          let t = tap + kx;
          acc_lo += v * vec4f(weight[wo[0] + t], weight[wo[1] + t], weight[wo[2] + t], weight[wo[3] + t]);
          acc_hi += v * vec4f(weight[wo[4] + t], weight[wo[5] + t], weight[wo[6] + t], weight[wo[7] + t]);
        }
      }
    }
    workgroupBarrier();
  }

  let r = r0 + lr;
  let c = c0 + lc;
  if (r >= H || c >= W) { return; }
  let acc = array<vec4f, 2>(acc_lo, acc_hi);
  for (var o = 0u; o < 8u; o++) {
    if (o0 + o >= params.cout) { break; }
    y[((o0 + o) * H + r) * W + c] = acc[o / 4u][o % 4u] + bias_of(o0 + o);
  }
}
