// Float64 reference for hierarchical block-sparse attention: LLSA (Log-linear Sparse Attention,
// `SingleZombie/LLSA`: `_torch_ref_llsa_l1` / `_torch_ref_llsa_l2` in tests/, generalised to L levels
// as the paper describes) and, with one level and no enrichment, block top-K attention.
// Written the plain way: pool every level, select blocks level by level with a full sort of the
// candidates, then for each query row build its key set with log-weights and take a softmax over it.

export interface SparseAttentionDims {
  n: number; // tokens N
  heads: number; // H
  d: number; // head size D
}

export interface HierarchyRefOptions {
  block: number; // B, tokens pooled into one token of the next level
  topk: number; // K, blocks kept per query block at every level (clamped to the candidates)
  levels: number; // L ≥ 1
  enrich: boolean; // add the pooled tokens of every level (LLSA) or attend the selected fine tokens only
  scale?: number; // multiplies q·k; default 1/√D
}

export interface HierarchyRefResult {
  out: Float64Array; // [N, H, D]
  selected: Int32Array[]; // selected[l − 1]: level l, [N/B^l, H, k_l], best first
}

/** x [rows, H, D] → [rows / B, H, D], the mean of each run of B rows. */
export function meanPoolRef(x: ArrayLike<number>, rows: number, heads: number, d: number, block: number): Float64Array {
  const out = new Float64Array((rows / block) * heads * d);
  const stride = heads * d;
  for (let a = 0; a < rows / block; a++) {
    for (let t = 0; t < block; t++) {
      const src = (a * block + t) * stride;
      for (let e = 0; e < stride; e++) out[a * stride + e] += x[src + e] / block;
    }
  }
  return out;
}

/** Selections per token at levels 1 … L (index 0 unused): k_L = min(K, N/B^L), k_l = min(K, k_{l+1}·B). */
export function levelTopk(n: number, block: number, topk: number, levels: number): number[] {
  const k = new Array<number>(levels + 1).fill(0);
  k[levels] = Math.min(topk, n / block ** levels);
  for (let l = levels - 1; l >= 1; l--) k[l] = Math.min(topk, k[l + 1] * block);
  return k;
}

function dotRows(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let s = 0;
  for (let c = 0; c < d; c++) s += a[ao + c] * b[bo + c];
  return s;
}

/** The k best candidates of query row `qo` by q·k (descending, ties to the lower token). */
function best(
  pq: Float64Array,
  qo: number,
  pk: Float64Array,
  cands: number[],
  rowOf: (t: number) => number,
  d: number,
  k: number,
): number[] {
  const scored = cands.map((t) => ({ t, s: dotRows(pq, qo, pk, rowOf(t), d) }));
  scored.sort((x, y) => y.s - x.s || x.t - y.t);
  return scored.slice(0, k).map((x) => x.t);
}

/** q, k, v [N, H, D] → out [N, H, D] and the selections of every level. */
export function hierarchicalAttentionRef(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  dims: SparseAttentionDims,
  opts: HierarchyRefOptions,
): HierarchyRefResult {
  const { n, heads: H, d } = dims;
  const { block: B, levels: L } = opts;
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const rows = (l: number) => n / B ** l;
  const kl = levelTopk(n, B, opts.topk, L);

  // Level l tensors, l = 0 … L (level 0 is the input).
  const pq: Float64Array[] = [Float64Array.from(q)];
  const pk: Float64Array[] = [Float64Array.from(k)];
  const pv: Float64Array[] = [Float64Array.from(v)];
  for (let l = 1; l <= L; l++) {
    pq.push(meanPoolRef(pq[l - 1], rows(l - 1), H, d, B));
    pk.push(meanPoolRef(pk[l - 1], rows(l - 1), H, d, B));
    pv.push(meanPoolRef(pv[l - 1], rows(l - 1), H, d, B));
  }

  // Selections, coarsest first: dense top-K at level L, then among the children of the parent's picks.
  const selected: Int32Array[] = new Array<Int32Array>(L);
  for (let l = L; l >= 1; l--) {
    const sel = new Int32Array(rows(l) * H * kl[l]);
    for (let a = 0; a < rows(l); a++) {
      for (let h = 0; h < H; h++) {
        let cands: number[];
        if (l === L) cands = Array.from({ length: rows(l) }, (_, t) => t);
        else {
          const parent = selected[l];
          const po = (Math.floor(a / B) * H + h) * kl[l + 1];
          cands = [];
          for (let j = 0; j < kl[l + 1]; j++) for (let c = 0; c < B; c++) cands.push(parent[po + j] * B + c);
        }
        const picks = best(pq[l], (a * H + h) * d, pk[l], cands, (t) => (t * H + h) * d, d, kl[l]);
        sel.set(picks, (a * H + h) * kl[l]);
      }
    }
    selected[l - 1] = sel;
  }

  // Per query row: the key set as (level, token, log-weight), then a max-subtracted softmax over it.
  const out = new Float64Array(n * H * d);
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < H; h++) {
      const keys: Array<{ level: number; t: number }> = [];
      for (let l = 1; l <= L; l++) {
        if (l > 1 && !opts.enrich) continue;
        const a = Math.floor(i / B ** l);
        const sel = selected[l - 1];
        for (let j = 0; j < kl[l]; j++) {
          for (let c = 0; c < B; c++) keys.push({ level: l - 1, t: sel[(a * H + h) * kl[l] + j] * B + c });
        }
      }
      if (opts.enrich) for (let t = 0; t < rows(L); t++) keys.push({ level: L, t });
      const qo = (i * H + h) * d;
      const logits = keys.map(
        ({ level, t }) => scale * dotRows(pq[0], qo, pk[level], (t * H + h) * d, d) + level * Math.log(B),
      );
      const max = logits.reduce((m, x) => Math.max(m, x), -Infinity);
      let sum = 0;
      const p = logits.map((x) => {
        const e = Math.exp(x - max);
        sum += e;
        return e;
      });
      keys.forEach(({ level, t }, j) => {
        const vo = (t * H + h) * d;
        for (let c = 0; c < d; c++) out[qo + c] += (p[j] / sum) * pv[level][vo + c];
      });
    }
  }
  return { out, selected };
}

/** LLSA with L levels: q, k, v [N, H, D] → out [N, H, D] and the selections of levels 1 … L. */
export function llsaRef(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  dims: SparseAttentionDims,
  opts: { block: number; topk: number; levels: number; scale?: number },
): HierarchyRefResult {
  return hierarchicalAttentionRef(q, k, v, dims, { ...opts, enrich: true });
}
