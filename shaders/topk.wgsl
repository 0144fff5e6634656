// Row-wise top-k: x [R, C] f32 → values [R, k] f32 and indices [R, k] i32, in descending order,
// 1 ≤ k ≤ min(C, 64).
//
// Order (as in argmax.wgsl): values are compared through `orderKey`, an integer key of the f32 bits,
// so −0 equals +0, every NaN ranks above +inf, and equal values keep the lower column first. x and
// values are bound as array<u32>: the kernel only moves bits, so values are exact copies of x.
// Both entry points keep a sorted list of up to k (key, column) pairs in private arrays: a column
// enters only if its key beats the list's last strictly, and sinks past strictly smaller keys only,
// so with columns visited in increasing order the lower column stays first among equals.
// Entry points (same bindings; the wrapper picks one by adapter class):
// - `thread_per_row` (CPU adapters, no workgroup memory or barriers): one invocation scans a whole
//   row into its list; 64 invocations per workgroup. Dispatch: ceil(R / 64) workgroups. For random
//   rows the list changes ~k·ln(C/k) times, so the scan costs about one compare per column.
// - `workgroup_per_row` (GPUs, long rows): one 256-invocation workgroup per row; invocation l lists
//   the top k of columns l, l + 256 …, then k merge rounds each pick the best list head by a tree
//   reduction in workgroup memory and pop it from its owner (column mod 256). Dispatch: R workgroups.
// Both split the workgroup count over x and y when above the per-dimension limit; the linear
// workgroup index is wid.y · nwg.x + wid.x and work past R is skipped.

struct Params {
  rows: u32,   // R
  cols: u32,   // C
  k: u32,      // outputs per row, 1 ≤ k ≤ min(C, 64)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;               // [R, C] f32 bits
@group(0) @binding(2) var<storage, read_write> values: array<u32>;    // [R, k] f32 bits
@group(0) @binding(3) var<storage, read_write> indices: array<i32>;   // [R, k]

const MAX_K = 64u;
const NONE = 0xffffffffu; // no column; its key 0 loses to every real key (≥ 0x007fffff)

// An unsigned key whose order is the float order of bits b, with −0 = +0 and NaN above +inf.
fn orderKey(b: u32) -> u32 {
  if ((b & 0x7fffffffu) > 0x7f800000u) { return 0xffffffffu; }
  if (b == 0x80000000u) { return 0x80000000u; }
  if ((b & 0x80000000u) != 0u) { return ~b; }
  return b | 0x80000000u;
}

var<private> listKey: array<u32, MAX_K>;
var<private> listCol: array<u32, MAX_K>;
var<private> listLen: u32;

// Offers column c of the row starting at `base` to the sorted list.
fn offer(base: u32, c: u32) {
  let key = orderKey(x[base + c]);
  if (listLen == params.k && key <= listKey[params.k - 1u]) { return; }
  var j = min(listLen, params.k - 1u);
  if (listLen < params.k) { listLen++; }
  while (j > 0u && listKey[j - 1u] < key) {
    listKey[j] = listKey[j - 1u];
    listCol[j] = listCol[j - 1u];
    j--;
  }
  listKey[j] = key;
  listCol[j] = c;
}

// Writes output i of row r: column c and its value's bits.
fn emit(r: u32, i: u32, base: u32, c: u32) {
  values[r * params.k + i] = x[base + c];
  indices[r * params.k + i] = i32(c);
}

@compute @workgroup_size(64)
fn thread_per_row(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = (wid.y * nwg.x + wid.x) * 64u + lid;
  if (r >= params.rows) { return; }
  let base = r * params.cols;
  listLen = 0u;
  for (var c = 0u; c < params.cols; c++) { offer(base, c); }
  for (var i = 0u; i < params.k; i++) { emit(r, i, base, listCol[i]); }
}

var<workgroup> wKey: array<u32, 256>;
var<workgroup> wCol: array<u32, 256>;

@compute @workgroup_size(256)
fn workgroup_per_row(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = wid.y * nwg.x + wid.x;
  if (r >= params.rows) { return; } // uniform across the workgroup, so the barriers below stay valid
  let base = r * params.cols;
  listLen = 0u;
  for (var c = lid; c < params.cols; c += 256u) { offer(base, c); }
  var head = 0u;
  for (var i = 0u; i < params.k; i++) {
    var key = 0u;
    var col = NONE;
    if (head < listLen) {
      key = listKey[head];
      col = listCol[head];
    }
    wKey[lid] = key;
    wCol[lid] = col;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
      if (lid < s) {
        let k = wKey[lid + s];
        let c = wCol[lid + s];
        if (k > wKey[lid] || (k == wKey[lid] && c < wCol[lid])) {
          wKey[lid] = k;
          wCol[lid] = c;
        }
      }
      workgroupBarrier();
    }
    let winner = wCol[0];
    // Everyone reads the winner before the next round overwrites slot 0.
    workgroupBarrier();
    if (winner % 256u == lid) {
      head++;
      emit(r, i, base, winner);
    }
  }
}
