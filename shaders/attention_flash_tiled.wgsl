// Multi-head attention, flash style with K/V tiles in workgroup memory, for GPUs:
//   out[i, h, :] = Σ_j softmax_j(scale · q[i, h, :] · k[j, g, :]) · v[j, g, :]
// with g = h / G, G = hq / hkv (grouped-query attention) and j over the keys row i may see: j < kvLen,
// and j ≤ qOffset + i when causal (query i sits at absolute position qOffset + i).
// Layouts (row-major f32): q, out [Tq, Hq, D]; k, v [Tk, Hkv, D].
//
// A workgroup owns BQ "rows" of one KV head g: row r is query i = r / G with query head g·G + r % G,
// so every query head that shares g reuses the same K/V tiles. One invocation per row keeps q and
// its output accumulator in private arrays. The workgroup walks the keys in tiles of BK: all
// invocations copy one K tile and one V tile into workgroup memory (as vec4, tail of each row zeroed
// when D is not a multiple of 4), then each row scores the tile's keys it may see, takes the tile's
// max, rescales its accumulator and running sum once by exp(m_old − m_new), and adds the tile's
// weighted V rows (online softmax). The N×N score matrix never exists; only BK scores per row do.
// Workgroup memory: 2 · BK · ceil(D/4) · 16 bytes ≤ 16 KiB (the wrapper picks BK ≤ 512 / ceil(D/4)).
//
// Dispatch: Hkv · ceil(Tq·G / BQ) workgroups, split over x and y when above the per-dimension limit;
// the linear workgroup index is wid.y · nwg.x + wid.x and workgroups past the count return.
// Overrides: HEAD_DIM = D (≤ 256), BQ = rows per workgroup (= workgroup size), BK = keys per tile
// (≤ MAX_BK).

struct Params {
  tq: u32,        // query rows
  hq: u32,        // query heads
  hkv: u32,       // key/value heads (divides hq)
  kv_len: u32,    // valid keys (1 ≤ kv_len ≤ Tk)
  causal: u32,    // 1: row i sees keys ≤ q_offset + i
  q_offset: u32,  // absolute position of query row 0
  scale: f32,     // multiplies q · k
}

override HEAD_DIM: u32;
override BQ: u32 = 64u;
override BK: u32 = 32u;
override D4: u32 = (HEAD_DIM + 3u) / 4u;
override TILE: u32 = BK * D4; // vec4s in one K or V tile
const MAX_D4 = 64u; // D ≤ 256
const MAX_BK = 32u;
// Stands in for −∞: exp(NEG_BIG − m) is 0 for any real m, and NEG_BIG − NEG_BIG is not NaN.
const NEG_BIG = -3.0e38;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

var<workgroup> kt: array<vec4f, TILE>; // [BK, D4]
var<workgroup> vt: array<vec4f, TILE>; // [BK, D4]

// Elements 4c … 4c+3 of a row that starts at `base`; those past HEAD_DIM read as 0 (they belong to
// the next row, or lie past the end of the buffer).
fn tail_mask(c: u32) -> vec4<bool> {
  return vec4u(4u * c) + vec4u(0u, 1u, 2u, 3u) < vec4u(HEAD_DIM);
}

fn load_q(base: u32, c: u32) -> vec4f {
  let e = base + 4u * c;
  let x = vec4f(q[e], q[e + 1u], q[e + 2u], q[e + 3u]);
  if (HEAD_DIM % 4u == 0u) { return x; }
  return select(vec4f(0.0), x, tail_mask(c));
}

fn load_k(base: u32, c: u32) -> vec4f {
  let e = base + 4u * c;
  let x = vec4f(k[e], k[e + 1u], k[e + 2u], k[e + 3u]);
  if (HEAD_DIM % 4u == 0u) { return x; }
  return select(vec4f(0.0), x, tail_mask(c));
}

fn load_v(base: u32, c: u32) -> vec4f {
  let e = base + 4u * c;
  let x = vec4f(v[e], v[e + 1u], v[e + 2u], v[e + 3u]);
  if (HEAD_DIM % 4u == 0u) { return x; }
  return select(vec4f(0.0), x, tail_mask(c));
}

@compute @workgroup_size(BQ)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let group = params.hq / params.hkv; // G
  let rows = params.tq * group; // rows per KV head
  let blocks = (rows + BQ - 1u) / BQ;
  let wg = wid.y * nwg.x + wid.x;
  if (wg >= params.hkv * blocks) { return; }
  let g = wg / blocks;
  let first = (wg % blocks) * BQ;
  let row = first + lid;
  // Invocations past the last row still copy tiles and meet every barrier; they just own no row.
  let live = row < rows;
  let i = row / group;
  let h = g * group + row % group;
  let kv_stride = params.hkv * HEAD_DIM; // floats between consecutive keys
  let kv_base = g * HEAD_DIM;

  // Keys this row sees, and keys any row of the block sees (the tile loop must be uniform).
  var limit = params.kv_len;
  var block_limit = params.kv_len;
  if (params.causal != 0u) {
    limit = min(limit, params.q_offset + i + 1u);
    block_limit = min(block_limit, params.q_offset + (min(first + BQ, rows) - 1u) / group + 1u);
  }

  // q pre-scaled, so scores come straight out of the dot products.
  let q_base = (i * params.hq + h) * HEAD_DIM;
  var qs: array<vec4f, MAX_D4>;
  var acc: array<vec4f, MAX_D4>;
  for (var c = 0u; c < D4; c++) {
    qs[c] = select(vec4f(0.0), load_q(q_base, c) * params.scale, live);
    acc[c] = vec4f(0.0);
  }

  var m = NEG_BIG;
  var l = 0.0;
  var s: array<f32, MAX_BK>;
  for (var t0 = 0u; t0 < block_limit; t0 += BK) {
    // Everyone is done reading the previous tile before it is overwritten.
    workgroupBarrier();
    for (var e = lid; e < TILE; e += BQ) {
      let key = t0 + e / D4;
      let c = e % D4;
      if (key < block_limit) {
        let src = kv_base + key * kv_stride;
        kt[e] = load_k(src, c);
        vt[e] = load_v(src, c);
      }
    }
    workgroupBarrier();

    if (live && t0 < limit) {
      let n = min(BK, limit - t0);
      var m_new = m;
      for (var j = 0u; j < n; j++) {
        var dot_qk = 0.0;
        for (var c = 0u; c < D4; c++) { dot_qk += dot(qs[c], kt[j * D4 + c]); }
        s[j] = dot_qk;
        m_new = max(m_new, dot_qk);
      }
      let corr = exp(m - m_new);
      l *= corr;
      for (var c = 0u; c < D4; c++) { acc[c] *= corr; }
      for (var j = 0u; j < n; j++) {
        let p = exp(s[j] - m_new);
        l += p;
        for (var c = 0u; c < D4; c++) { acc[c] += p * vt[j * D4 + c]; }
      }
      m = m_new;
    }
  }

  if (!live) { return; }
  // Key 0 is always visible (limit ≥ 1), so l ≥ 1 here.
  let inv = 1.0 / l;
  for (var c = 0u; c < D4; c++) {
    let y = acc[c] * inv;
    for (var t = 0u; t < 4u; t++) {
      let d = 4u * c + t;
      if (d < HEAD_DIM) { out[q_base + d] = y[t]; }
    }
  }
}
