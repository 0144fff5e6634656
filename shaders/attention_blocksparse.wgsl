// Block-sparse attention over a token hierarchy for CPU adapters; used by block top-K attention
// (L = 1, no enrichment) and LLSA (src/kernels/llsa.ts).
// Level 0 is the fine sequence q/k/v [N, H, D]; level l ≥ 1 holds N/B^l mean-pooled tokens, stacked
// in kc/vc [Σ_l N/B^l, H, D]. sel holds, per level l = 1 … L, the k_l level-l tokens selected by
// every pooled query token (a level-l token b stands for the level-(l−1) tokens b·B … b·B+B−1).
// Query row i (with ancestor a_l = i / B^l at level l) attends to the union of
//   level 0:      the tokens of the k_1 blocks sel_1[a_1]                     weight 1
//   level l − 1:  the level-(l−1) children of sel_l[a_l], for l = 2 … L      weight B^(l−1)   (enrich)
//   level L:      all N/B^L tokens                                          weight B^L       (enrich)
// with softmax over the union of scale · q·k + ln(weight): a level-l key/value is the mean of the
// B^l fine keys/values it pools, standing in for all of them (LLSA's "KV reweighting").
// Selected blocks are not removed from the coarser sets, as in the reference implementation.
// Per-level counts (the wrapper computes the same layout): k_L = min(K, N/B^L),
// k_l = min(K, k_{l+1}·B); sel stacks levels 1 … L, level l as [N/B^l, H, k_l].
//
// Tiling: one invocation per QR = min(4, B) consecutive query rows of one head. They lie in one
// block, so they share every selection and every key: keys go four at a time, and each key row,
// loaded once (SwiftShader gathers every storage load one scalar per lane), serves all QR rows,
// a quarter of the loads of one row per invocation (measured 1.5× faster at N = 16k). Each row keeps
// an online softmax (running max and sum in lane r of two vec4s, accumulator rescaled by
// exp(m_old − m_new) once per four keys). No workgroup memory and no barriers (SwiftShader runs each
// barrier as a coroutine switch per 4-lane subgroup). Every loop count is uniform across invocations
// (K, B and N/B^L are), so the lanes of a SwiftShader subgroup never diverge.
// Invocation index = h · N/QR + i/QR: a workgroup covers consecutive rows of one head, which share
// their selections and coarse tokens.
//
// Dispatch: ceil(N · H / (QR · WG)) workgroups (WG = 64, or 16 for short sequences so that they still
// spread over every core), split over x and y when above the per-dimension limit; the linear
// workgroup index is wid.y · nwg.x + wid.x and invocations past N · H / QR return.
// Overrides: HEAD_DIM = D (≤ 256), rows handled as ceil(D / 4) vec4s, the tail of the last one
// masked to zero when D is not a multiple of 4; QR (2 or 4, dividing B); WG.

requires unrestricted_pointer_parameters; // attend() takes the key/value buffers of a level

struct Params {
  n: u32,       // fine tokens N (a multiple of B^L)
  heads: u32,   // H
  log2b: u32,   // log2 of the block size B
  levels: u32,  // L ≥ 1, ≤ MAX_LEVELS
  topk: u32,    // K, before the per-level clamps
  enrich: u32,  // 1: add the coarse tokens of every level (LLSA); 0: fine tokens only (block top-K)
  scale: f32,   // multiplies q · k
}

override HEAD_DIM: u32;
override WG: u32 = 64u;
override QR: u32 = 4u; // query rows per invocation: 2 or 4 (min(4, B))
override D4: u32 = (HEAD_DIM + 3u) / 4u;
const MAX_D4 = 64u; // D ≤ 256
const MAX_LEVELS = 8u;
const LN2 = 0.6931471805599453;
// Stands in for −∞: exp(NEG_BIG − m) is 0 for any real m, and NEG_BIG − NEG_BIG is not NaN.
const NEG_BIG = -3.0e38;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;          // [N, H, D]
@group(0) @binding(2) var<storage, read> k: array<f32>;          // [N, H, D]
@group(0) @binding(3) var<storage, read> v: array<f32>;          // [N, H, D]
@group(0) @binding(4) var<storage, read> kc: array<f32>;         // [Σ_{l≥1} N/B^l, H, D]
@group(0) @binding(5) var<storage, read> vc: array<f32>;         // [Σ_{l≥1} N/B^l, H, D]
@group(0) @binding(6) var<storage, read> sel: array<i32>;        // stacked [N/B^l, H, k_l]
@group(0) @binding(7) var<storage, read_write> out: array<f32>;  // [N, H, D]

// The invocation's state for its QR rows (row r at index r·D4 + c): pre-scaled queries, output
// accumulators, and the running max and sum of row r in lane r.
var<private> qs: array<vec4f, 4u * MAX_D4>;
var<private> acc: array<vec4f, 4u * MAX_D4>;
var<private> run_max: vec4f;
var<private> run_sum: vec4f;
var<private> head: u32;

fn load_row(p: ptr<storage, array<f32>, read>, base: u32, c: u32) -> vec4f {
  let e = base + 4u * c;
  if (HEAD_DIM % 4u == 0u) { return vec4f(p[e], p[e + 1u], p[e + 2u], p[e + 3u]); }
  // Columns past HEAD_DIM belong to the next row (or lie past the buffer's end): read as 0.
  let ok = vec4u(4u * c) + vec4u(0u, 1u, 2u, 3u) < vec4u(HEAD_DIM);
  let last = base + HEAD_DIM - 1u;
  let x = vec4f(p[e], p[min(e + 1u, last)], p[min(e + 2u, last)], p[min(e + 3u, last)]);
  return select(vec4f(0.0), x, ok);
}

// First element of (row, this invocation's head) in a [rows, H, D] buffer.
fn row_base(row: u32) -> u32 {
  return (row * params.heads + head) * HEAD_DIM;
}

fn hmax(x: vec4f) -> f32 {
  return max(max(x.x, x.y), max(x.z, x.w));
}

// Folds rows start … start+count−1 of kb/vb into the online softmax of every row of the
// invocation, their logits raised by `bias`. Keys go four at a time: each key row loaded once
// serves all QR query rows.
fn attend(kb: ptr<storage, array<f32>, read>, vb: ptr<storage, array<f32>, read>, start: u32, count: u32, bias: f32) {
  let last = start + count - 1u;
  for (var j = 0u; j < count; j += 4u) {
    let valid = vec4u(j) + vec4u(0u, 1u, 2u, 3u) < vec4u(count);
    // Keys past the segment re-read its last row (always in bounds); their weight is zeroed.
    let r0 = row_base(start + j);
    let r1 = row_base(min(start + j + 1u, last));
    let r2 = row_base(min(start + j + 2u, last));
    let r3 = row_base(min(start + j + 3u, last));
    // s_r: scores of query row r against the four keys.
    var s0 = vec4f(0.0);
    var s1 = vec4f(0.0);
    var s2 = vec4f(0.0);
    var s3 = vec4f(0.0);
    for (var c = 0u; c < D4; c++) {
      let k0 = load_row(kb, r0, c);
      let k1 = load_row(kb, r1, c);
      let k2 = load_row(kb, r2, c);
      let k3 = load_row(kb, r3, c);
      let q0 = qs[c];
      s0 += vec4f(dot(q0, k0), dot(q0, k1), dot(q0, k2), dot(q0, k3));
      let q1 = qs[D4 + c];
      s1 += vec4f(dot(q1, k0), dot(q1, k1), dot(q1, k2), dot(q1, k3));
      if (QR > 2u) {
        let q2 = qs[2u * D4 + c];
        let q3 = qs[3u * D4 + c];
        s2 += vec4f(dot(q2, k0), dot(q2, k1), dot(q2, k2), dot(q2, k3));
        s3 += vec4f(dot(q3, k0), dot(q3, k1), dot(q3, k2), dot(q3, k3));
      }
    }
    s0 = select(vec4f(NEG_BIG), s0 + bias, valid);
    s1 = select(vec4f(NEG_BIG), s1 + bias, valid);
    s2 = select(vec4f(NEG_BIG), s2 + bias, valid);
    s3 = select(vec4f(NEG_BIG), s3 + bias, valid);
    let m_new = max(run_max, vec4f(hmax(s0), hmax(s1), hmax(s2), hmax(s3)));
    let corr = exp(run_max - m_new);
    let p0 = select(vec4f(0.0), exp(s0 - vec4f(m_new.x)), valid);
    let p1 = select(vec4f(0.0), exp(s1 - vec4f(m_new.y)), valid);
    let p2 = select(vec4f(0.0), exp(s2 - vec4f(m_new.z)), valid);
    let p3 = select(vec4f(0.0), exp(s3 - vec4f(m_new.w)), valid);
    let one = vec4f(1.0);
    run_sum = run_sum * corr + vec4f(dot(p0, one), dot(p1, one), dot(p2, one), dot(p3, one));
    run_max = m_new;
    for (var c = 0u; c < D4; c++) {
      let v0 = load_row(vb, r0, c);
      let v1 = load_row(vb, r1, c);
      let v2 = load_row(vb, r2, c);
      let v3 = load_row(vb, r3, c);
      acc[c] = acc[c] * corr.x + p0.x * v0 + p0.y * v1 + p0.z * v2 + p0.w * v3;
      acc[D4 + c] = acc[D4 + c] * corr.y + p1.x * v0 + p1.y * v1 + p1.z * v2 + p1.w * v3;
      if (QR > 2u) {
        acc[2u * D4 + c] = acc[2u * D4 + c] * corr.z + p2.x * v0 + p2.y * v1 + p2.z * v2 + p2.w * v3;
        acc[3u * D4 + c] = acc[3u * D4 + c] * corr.w + p3.x * v0 + p3.y * v1 + p3.z * v2 + p3.w * v3;
      }
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.y * nwg.x + wid.x) * WG + lid;
  let n = params.n;
  let groups = n / QR;
  if (idx >= groups * params.heads) { return; }
  head = idx / groups;
  let i = (idx % groups) * QR; // first of the invocation's rows; all QR share every selection
  let lb = params.log2b;
  let levels = params.levels;
  let ln_b = f32(lb) * LN2;

  for (var r = 0u; r < QR; r++) {
    let qbase = row_base(i + r);
    for (var c = 0u; c < D4; c++) {
      qs[r * D4 + c] = load_row(&q, qbase, c) * params.scale;
      acc[r * D4 + c] = vec4f(0.0);
    }
  }
  run_max = vec4f(NEG_BIG);
  run_sum = vec4f(0.0);

  // Selections per token at each level, as the wrapper lays them out.
  var kl: array<u32, MAX_LEVELS + 1u>;
  kl[levels] = min(params.topk, n >> (levels * lb));
  for (var l = levels; l > 1u; l--) { kl[l - 1u] = min(params.topk, kl[l] << lb); }

  let b = 1u << lb;
  var sel_off = 0u;    // first element of level l's selections in sel
  var child_row = 0u;  // first row of level l − 1 in kc/vc (for l ≥ 2)
  for (var l = 1u; l <= levels; l++) {
    let list = sel_off + ((i >> (l * lb)) * params.heads + head) * kl[l];
    if (l == 1u) {
      for (var j = 0u; j < kl[1]; j++) { attend(&k, &v, u32(sel[list + j]) << lb, b, 0.0); }
    } else {
      if (params.enrich != 0u) {
        let bias = f32(l - 1u) * ln_b;
        for (var j = 0u; j < kl[l]; j++) { attend(&kc, &vc, child_row + (u32(sel[list + j]) << lb), b, bias); }
      }
      child_row += n >> ((l - 1u) * lb);
    }
    sel_off += (n >> (l * lb)) * params.heads * kl[l];
  }
  if (params.enrich != 0u) { attend(&kc, &vc, child_row, n >> (levels * lb), f32(levels) * ln_b); }

  // The first selected block is always attended (k_1 ≥ 1), so run_sum ≥ 1 here.
  for (var r = 0u; r < QR; r++) {
    let inv = 1.0 / run_sum[r];
    let o = row_base(i + r);
    for (var c = 0u; c < D4; c++) {
      let y = acc[r * D4 + c] * inv;
      for (var t = 0u; t < 4u; t++) {
        let d = 4u * c + t;
        if (d < HEAD_DIM) { out[o + d] = y[t]; }
      }
    }
  }
}
