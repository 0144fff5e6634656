// Block selection for the block-sparse attention family (block top-K and LLSA, src/kernels/llsa.ts):
// for every pooled query token a of level l and head h, the k_out pooled key tokens of level l with
// the largest scores qc[a, h] · kc[b, h] (no softmax scale: ranking only), in descending order, ties to
// the lower token. A selected level-l token b stands for the block of level-(l−1) tokens b·B … b·B+B−1.
// Entry points (same bindings):
// - `dense_topk`: candidates are all `rows` tokens of the level (block top-K; LLSA's coarsest level).
//   O(rows²) per head, which LLSA only pays at its coarsest level.
// - `sparse_topk`: candidates are the children at level l of the k_parent tokens its parent
//   p = a / B selected at level l+1 (LLSA's finer levels): k_parent · B candidates, O(rows · K · B).
// Pooled tokens of every level are stacked in qc/kc [Σ_l N/B^l, H, D]; this level starts at row `row`.
// Selections of every level are stacked in sel: level l's block is [rows, H, k_out] at `out_off`, its
// parent level's [rows / B, H, k_parent] at `parent_off`.
//
// Tiling: one (token, head) per invocation: its query row in registers (vec4s, tail masked when D is
// not a multiple of 4), a sorted list of the best k_out (score, token) pairs in private arrays that a
// candidate enters only when it beats the list's last. No workgroup memory or barriers. Invocation
// index = h · rows + a.
// Dispatch: ceil(rows · H / WG) workgroups (WG = 64, or 4 for a coarsest level of a few dozen tokens
// so that it still spreads over every core), split over x and y when above the per-dimension limit;
// the linear workgroup index is wid.y · nwg.x + wid.x and invocations past rows · H return.
// Overrides: HEAD_DIM = D (≤ 256), WG.

requires unrestricted_pointer_parameters; // load_row takes the buffer to read

struct Params {
  rows: u32,        // tokens at this level (queries and, for dense_topk, candidates)
  heads: u32,       // H
  log2b: u32,       // log2 of the block size B
  row: u32,         // first row of this level in qc/kc
  k_out: u32,       // selections per (token, head), ≤ MAX_K and ≤ the candidates
  k_parent: u32,    // selections per (parent token, head) at level l+1 (sparse_topk only)
  out_off: u32,     // first element of this level's selections in sel
  parent_off: u32,  // first element of level l+1's selections in sel (sparse_topk only)
}

override HEAD_DIM: u32;
override WG: u32 = 64u;
override D4: u32 = (HEAD_DIM + 3u) / 4u;
const MAX_D4 = 64u; // D ≤ 256
const MAX_K = 64u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> qc: array<f32>;         // [Σ_l N/B^l, H, D]
@group(0) @binding(2) var<storage, read> kc: array<f32>;         // [Σ_l N/B^l, H, D]
@group(0) @binding(3) var<storage, read_write> sel: array<i32>;  // stacked [rows_l, H, k_l]

var<private> qs: array<vec4f, MAX_D4>;
var<private> list_score: array<f32, MAX_K>;
var<private> list_tok: array<u32, MAX_K>;
var<private> list_len: u32;

fn load_row(p: ptr<storage, array<f32>, read>, base: u32, c: u32) -> vec4f {
  let e = base + 4u * c;
  if (HEAD_DIM % 4u == 0u) { return vec4f(p[e], p[e + 1u], p[e + 2u], p[e + 3u]); }
  // Columns past HEAD_DIM belong to the next row (or lie past the buffer's end): read as 0.
  let col = vec4u(4u * c) + vec4u(0u, 1u, 2u, 3u);
  let ok = col < vec4u(HEAD_DIM);
  let last = base + HEAD_DIM - 1u;
  let x = vec4f(p[e], p[min(e + 1u, last)], p[min(e + 2u, last)], p[min(e + 3u, last)]);
  return select(vec4f(0.0), x, ok);
}

// First element of (token t of this level, head h) in qc/kc.
fn row_base(t: u32, h: u32) -> u32 {
  return ((params.row + t) * params.heads + h) * HEAD_DIM;
}

// Loads the query row of (a, h) and empties the list.
fn begin(a: u32, h: u32) {
  let base = row_base(a, h);
  for (var c = 0u; c < D4; c++) { qs[c] = load_row(&qc, base, c); }
  list_len = 0u;
}

// Scores candidate token t and inserts it when it ranks among the best k_out so far: a higher
// score, or an equal score and a lower token.
fn offer(t: u32, h: u32) {
  let base = row_base(t, h);
  var acc = vec4f(0.0);
  for (var c = 0u; c < D4; c++) { acc += qs[c] * load_row(&kc, base, c); }
  let s = dot(acc, vec4f(1.0));
  let k = params.k_out;
  if (list_len == k && !(s > list_score[k - 1u] || (s == list_score[k - 1u] && t < list_tok[k - 1u]))) { return; }
  var j = min(list_len, k - 1u);
  if (list_len < k) { list_len++; }
  while (j > 0u && (list_score[j - 1u] < s || (list_score[j - 1u] == s && list_tok[j - 1u] > t))) {
    list_score[j] = list_score[j - 1u];
    list_tok[j] = list_tok[j - 1u];
    j--;
  }
  list_score[j] = s;
  list_tok[j] = t;
}

fn finish(a: u32, h: u32) {
  let o = params.out_off + (a * params.heads + h) * params.k_out;
  for (var j = 0u; j < params.k_out; j++) { sel[o + j] = i32(list_tok[j]); }
}

@compute @workgroup_size(WG)
fn dense_topk(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.y * nwg.x + wid.x) * WG + lid;
  if (idx >= params.rows * params.heads) { return; }
  let h = idx / params.rows;
  let a = idx % params.rows;
  begin(a, h);
  for (var t = 0u; t < params.rows; t++) { offer(t, h); }
  finish(a, h);
}

@compute @workgroup_size(WG)
fn sparse_topk(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = (wid.y * nwg.x + wid.x) * WG + lid;
  if (idx >= params.rows * params.heads) { return; }
  let h = idx / params.rows;
  let a = idx % params.rows;
  begin(a, h);
  let b = 1u << params.log2b;
  let parent = params.parent_off + ((a >> params.log2b) * params.heads + h) * params.k_parent;
  for (var j = 0u; j < params.k_parent; j++) {
    let first = u32(sel[parent + j]) << params.log2b;
    for (var c = 0u; c < b; c++) { offer(first + c, h); }
  }
  finish(a, h);
}
