import type { Gpu } from '../../gpu/gpu.ts';
import type { Rng } from '../../shared/rng.ts';
import { llsa, type LlsaOptions, type SparseAttentionResult } from '../llsa.ts';
import { compare } from '../reference/compare.ts';
import { llsaRef, type HierarchyRefResult, type SparseAttentionDims } from '../reference/llsa.ts';
import type { CheckOutcome, KernelCheck } from '../selfcheck.ts';

/** Runs a block-sparse attention launch twice (the second timed), compares its output with the
 *  reference's and requires every level's selected blocks to equal the reference's exactly. */
export async function measureSparse(
  gpu: Gpu,
  launch: () => SparseAttentionResult,
  want: HierarchyRefResult,
  reduction: number,
  shape: string,
): Promise<CheckOutcome> {
  const release = (r: SparseAttentionResult) => [r.out, ...r.selected].forEach((t) => t.release());
  release(launch());
  await gpu.sync();
  const t0 = performance.now();
  const r = launch();
  await gpu.sync();
  const ms = performance.now() - t0;
  const got = await gpu.read(r.out);
  const selected = await Promise.all(r.selected.map((t) => gpu.read(t)));
  release(r);
  const cmp = compare(got, want.out, reduction);
  const sameBlocks =
    selected.length === want.selected.length && selected.every((s, l) => s.every((b, i) => b === want.selected[l][i]));
  return { ...cmp, pass: cmp.pass && sameBlocks, ms, shape };
}

/** Keys one query row attends to: K·B fine tokens, K·B pooled tokens per middle level, N/B^L at the top. */
export function llsaKeys(n: number, block: number, topk: number, levels: number): number {
  return Math.min(topk, n / block) * block * levels + n / block ** levels;
}

async function run(
  gpu: Gpu,
  rng: Rng,
  dims: SparseAttentionDims,
  opts: Required<Omit<LlsaOptions, 'scale' | 'label'>>,
): Promise<CheckOutcome> {
  const { n, heads, d } = dims;
  const [q, k, v] = [rng.floats(n * heads * d), rng.floats(n * heads * d), rng.floats(n * heads * d)];
  const tq = gpu.upload(q, [n, heads, d], 'q'); // [N, H, D]
  const tk = gpu.upload(k, [n, heads, d], 'k'); // [N, H, D]
  const tv = gpu.upload(v, [n, heads, d], 'v'); // [N, H, D]
  const r = await measureSparse(
    gpu,
    () => llsa(gpu, tq, tk, tv, opts),
    llsaRef(q, k, v, dims, opts),
    llsaKeys(n, opts.block, opts.topk, opts.levels),
    `N=${n} H=${heads} D=${d} B=${opts.block} K=${opts.topk} L=${opts.levels}`,
  );
  tq.release();
  tk.release();
  tv.release();
  return r;
}

export const llsaChecks: KernelCheck[] = [
  {
    name: 'LLSA (L=1)',
    run: (gpu, rng) => run(gpu, rng, { n: 512, heads: 2, d: 64 }, { block: 16, topk: 4, levels: 1 }),
  },
  {
    name: 'LLSA (L=2)',
    run: (gpu, rng) => run(gpu, rng, { n: 1024, heads: 1, d: 64 }, { block: 8, topk: 4, levels: 2 }),
  },
];
