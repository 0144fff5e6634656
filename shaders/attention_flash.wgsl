// Multi-head attention, one invocation per (query row, query head), for CPU adapters (SwiftShader):
//   out[i, h, :] = Σ_j softmax_j(scale · q[i, h, :] · k[j, g, :]) · v[j, g, :]
// with g = h / (hq / hkv) (grouped-query attention) and j over the keys row i may see: j < kvLen, and
// j ≤ qOffset + i when causal (query i sits at absolute position qOffset + i).
// Layouts (row-major f32): q, out [Tq, Hq, D]; k, v [Tk, Hkv, D].
//
// The N×N score matrix never exists: each invocation streams over its keys with an online softmax
// (running max m, running sum l, and the accumulator rescaled by exp(m_old − m_new) as m grows).
// Keys go eight at a time (scores in two vec4s), so the accumulator — a private array of vec4 — is
// read, rescaled and written once per eight keys rather than once per key. No workgroup memory and
// no barriers: on SwiftShader every barrier costs ~50 µs per workgroup.
// Neighbouring invocations are the heads of one query row, so the heads of a GQA group read the same
// K/V rows together.
//
// Tiling: one (row, head) per invocation, WG invocations per workgroup (override: 64, or 4 for
// launches of a few rows such as decoding, so that they still spread over every core).
// Dispatch: ceil(Tq·Hq / WG) workgroups, split over x and y when above the per-dimension limit; the
// linear workgroup index is wid.y · nwg.x + wid.x and invocations past Tq·Hq return.
// Override HEAD_DIM = D (≤ 256); rows are handled as ceil(D / 4) vec4s, the tail of the last one
// masked to zero when D is not a multiple of 4.

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
override WG: u32 = 64u;
override D4: u32 = (HEAD_DIM + 3u) / 4u;
const MAX_D4 = 64u; // D ≤ 256
// Stands in for −∞: exp(NEG_BIG − m) is 0 for any real m, and NEG_BIG − NEG_BIG is not NaN.
const NEG_BIG = -3.0e38;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

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

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.y * nwg.x + wid.x) * WG + lid;
  if (idx >= params.tq * params.hq) { return; }
  let i = idx / params.hq;
  let h = idx % params.hq;
  let g = h / (params.hq / params.hkv);
  let kv_stride = params.hkv * HEAD_DIM; // floats between consecutive keys
  let kv_base = g * HEAD_DIM;
  var limit = params.kv_len;
  if (params.causal != 0u) { limit = min(limit, params.q_offset + i + 1u); }

  // q pre-scaled, so scores come straight out of the dot products.
  var qs: array<vec4f, MAX_D4>;
  var acc: array<vec4f, MAX_D4>;
  for (var c = 0u; c < D4; c++) {
    qs[c] = load_q(idx * HEAD_DIM, c) * params.scale;
    acc[c] = vec4f(0.0);
  }

  var m = NEG_BIG;
  var l = 0.0;
  for (var j = 0u; j < limit; j += 8u) {
    let va = vec4u(j) + vec4u(0u, 1u, 2u, 3u) < vec4u(limit);
    let vb = vec4u(j) + vec4u(4u, 5u, 6u, 7u) < vec4u(limit);
    // Keys past the limit re-read the last valid key (always in bounds); their weight is zeroed.
    let last = limit - 1u;
    let r0 = kv_base + j * kv_stride;
    let r1 = kv_base + min(j + 1u, last) * kv_stride;
    let r2 = kv_base + min(j + 2u, last) * kv_stride;
    let r3 = kv_base + min(j + 3u, last) * kv_stride;
    let r4 = kv_base + min(j + 4u, last) * kv_stride;
    let r5 = kv_base + min(j + 5u, last) * kv_stride;
    let r6 = kv_base + min(j + 6u, last) * kv_stride;
    let r7 = kv_base + min(j + 7u, last) * kv_stride;
    var sa = vec4f(0.0);
    var sb = vec4f(0.0);
    for (var c = 0u; c < D4; c++) {
      let qc = qs[c];
      sa += vec4f(dot(qc, load_k(r0, c)), dot(qc, load_k(r1, c)), dot(qc, load_k(r2, c)), dot(qc, load_k(r3, c)));
      sb += vec4f(dot(qc, load_k(r4, c)), dot(qc, load_k(r5, c)), dot(qc, load_k(r6, c)), dot(qc, load_k(r7, c)));
    }
    sa = select(vec4f(NEG_BIG), sa, va);
    sb = select(vec4f(NEG_BIG), sb, vb);
    let mx = max(sa, sb);
    let m_new = max(m, max(max(mx.x, mx.y), max(mx.z, mx.w)));
    let corr = exp(m - m_new);
    let pa = select(vec4f(0.0), exp(sa - vec4f(m_new)), va);
    let pb = select(vec4f(0.0), exp(sb - vec4f(m_new)), vb);
    l = l * corr + dot(pa + pb, vec4f(1.0));
    for (var c = 0u; c < D4; c++) {
      acc[c] = acc[c] * corr + pa.x * load_v(r0, c) + pa.y * load_v(r1, c) + pa.z * load_v(r2, c) + pa.w * load_v(r3, c)
        + pb.x * load_v(r4, c) + pb.y * load_v(r5, c) + pb.z * load_v(r6, c) + pb.w * load_v(r7, c);
    }
    m = m_new;
  }

  // Key 0 is always visible (limit ≥ 1), so l ≥ 1 here.
  let inv = 1.0 / l;
  let o = idx * HEAD_DIM;
  for (var c = 0u; c < D4; c++) {
    let y = acc[c] * inv;
    for (var t = 0u; t < 4u; t++) {
      let d = 4u * c + t;
      if (d < HEAD_DIM) { out[o + d] = y[t]; }
    }
  }
}
