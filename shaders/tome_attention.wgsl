// Proportional attention for merged tokens (ToMe, src/kernels/tome.ts): bidirectional multi-head
// attention whose logits get + ln(size[j]) for key j, so a token standing for size[j] merged tokens
// draws the attention those tokens would have drawn together:
//   out[i, h, :] = Σ_j softmax_j(scale · q[i, h, :] · k[j, h, :] + ln size[j]) · v[j, h, :]
// Layouts (row-major f32): q, k, v, out [T, H, D]; size [T] (> 0).
//
// As attention_flash.wgsl: one invocation per (query row, head), streaming over the keys eight at a
// time with an online softmax (running max, running sum, accumulator rescaled as the max grows); no
// workgroup memory or barriers. Neighbouring invocations are the heads of one query row.
// Dispatch: ceil(T·H / WG) workgroups (WG = 64, or 4 for a few dozen rows), split over x and y when
// above the per-dimension limit; the linear workgroup index is wid.y · nwg.x + wid.x and invocations
// past T·H return.
// Override HEAD_DIM = D (≤ 256); rows are handled as ceil(D / 4) vec4s, the tail of the last one
// masked to zero when D is not a multiple of 4.

requires unrestricted_pointer_parameters; // load_row takes the buffer to read

struct Params {
  tokens: u32,  // T
  heads: u32,   // H
  scale: f32,   // multiplies q · k
}

override HEAD_DIM: u32;
override WG: u32 = 64u;
override D4: u32 = (HEAD_DIM + 3u) / 4u;
const MAX_D4 = 64u; // D ≤ 256
// Stands in for −∞: exp(NEG_BIG − m) is 0 for any real m, and NEG_BIG − NEG_BIG is not NaN.
const NEG_BIG = -3.0e38;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;          // [T, H, D]
@group(0) @binding(2) var<storage, read> k: array<f32>;          // [T, H, D]
@group(0) @binding(3) var<storage, read> v: array<f32>;          // [T, H, D]
@group(0) @binding(4) var<storage, read> size: array<f32>;       // [T]
@group(0) @binding(5) var<storage, read_write> out: array<f32>;  // [T, H, D]

fn load_row(p: ptr<storage, array<f32>, read>, base: u32, c: u32) -> vec4f {
  let e = base + 4u * c;
  if (HEAD_DIM % 4u == 0u) { return vec4f(p[e], p[e + 1u], p[e + 2u], p[e + 3u]); }
  // Columns past HEAD_DIM belong to the next row (or lie past the buffer's end): read as 0.
  let ok = vec4u(4u * c) + vec4u(0u, 1u, 2u, 3u) < vec4u(HEAD_DIM);
  let last = base + HEAD_DIM - 1u;
  let x = vec4f(p[e], p[min(e + 1u, last)], p[min(e + 2u, last)], p[min(e + 3u, last)]);
  return select(vec4f(0.0), x, ok);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.y * nwg.x + wid.x) * WG + lid;
  let n = params.tokens;
  if (idx >= n * params.heads) { return; }
  let h = idx % params.heads;
  let stride = params.heads * HEAD_DIM; // floats between consecutive tokens

  var qs: array<vec4f, MAX_D4>;
  var acc: array<vec4f, MAX_D4>;
  for (var c = 0u; c < D4; c++) {
    qs[c] = load_row(&q, idx * HEAD_DIM, c) * params.scale;
    acc[c] = vec4f(0.0);
  }

  var m = NEG_BIG;
  var l = 0.0;
  let last = n - 1u;
  for (var j = 0u; j < n; j += 8u) {
    let va = vec4u(j) + vec4u(0u, 1u, 2u, 3u) < vec4u(n);
    let vb = vec4u(j) + vec4u(4u, 5u, 6u, 7u) < vec4u(n);
    // Keys past the last re-read it (always in bounds); their weight is zeroed.
    let j1 = min(j + 1u, last);
    let j2 = min(j + 2u, last);
    let j3 = min(j + 3u, last);
    let j4 = min(j + 4u, last);
    let j5 = min(j + 5u, last);
    let j6 = min(j + 6u, last);
    let j7 = min(j + 7u, last);
    let r0 = j * stride + h * HEAD_DIM;
    let r1 = j1 * stride + h * HEAD_DIM;
    let r2 = j2 * stride + h * HEAD_DIM;
    let r3 = j3 * stride + h * HEAD_DIM;
    let r4 = j4 * stride + h * HEAD_DIM;
    let r5 = j5 * stride + h * HEAD_DIM;
    let r6 = j6 * stride + h * HEAD_DIM;
    let r7 = j7 * stride + h * HEAD_DIM;
    var sa = log(vec4f(size[j], size[j1], size[j2], size[j3]));
    var sb = log(vec4f(size[j4], size[j5], size[j6], size[j7]));
    for (var c = 0u; c < D4; c++) {
      let qc = qs[c];
      sa += vec4f(dot(qc, load_row(&k, r0, c)), dot(qc, load_row(&k, r1, c)), dot(qc, load_row(&k, r2, c)), dot(qc, load_row(&k, r3, c)));
      sb += vec4f(dot(qc, load_row(&k, r4, c)), dot(qc, load_row(&k, r5, c)), dot(qc, load_row(&k, r6, c)), dot(qc, load_row(&k, r7, c)));
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
      acc[c] = acc[c] * corr + pa.x * load_row(&v, r0, c) + pa.y * load_row(&v, r1, c) + pa.z * load_row(&v, r2, c)
        + pa.w * load_row(&v, r3, c) + pb.x * load_row(&v, r4, c) + pb.y * load_row(&v, r5, c)
        + pb.z * load_row(&v, r6, c) + pb.w * load_row(&v, r7, c);
    }
    m = m_new;
  }

  // Key 0 is always visible, so l > 0 here.
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
