import type { Gpu } from '../../gpu/gpu.ts';
import type { Rng } from '../../shared/rng.ts';
import { attentionBlockTopk, type BlockTopkOptions } from '../attentionBlockTopk.ts';
import { blockTopkRef } from '../reference/attentionBlockTopk.ts';
import type { SparseAttentionDims } from '../reference/llsa.ts';
import type { CheckOutcome, KernelCheck } from '../selfcheck.ts';
import { measureSparse } from './llsa.ts';

async function run(
  gpu: Gpu,
  rng: Rng,
  dims: SparseAttentionDims,
  opts: Required<Pick<BlockTopkOptions, 'block' | 'topk'>>,
): Promise<CheckOutcome> {
  const { n, heads, d } = dims;
  const [q, k, v] = [rng.floats(n * heads * d), rng.floats(n * heads * d), rng.floats(n * heads * d)];
  const tq = gpu.upload(q, [n, heads, d], 'q'); // [N, H, D]
  const tk = gpu.upload(k, [n, heads, d], 'k'); // [N, H, D]
  const tv = gpu.upload(v, [n, heads, d], 'v'); // [N, H, D]
  const want = blockTopkRef(q, k, v, dims, opts);
  const r = await measureSparse(
    gpu,
    () => {
      const { out, indices } = attentionBlockTopk(gpu, tq, tk, tv, opts);
      return { out, selected: [indices] };
    },
    { out: want.out, selected: [want.indices] },
    Math.min(opts.topk, n / opts.block) * opts.block,
    `N=${n} H=${heads} D=${d} B=${opts.block} K=${opts.topk}`,
  );
  tq.release();
  tk.release();
  tv.release();
  return r;
}

export const blockTopkChecks: KernelCheck[] = [
  {
    name: 'block top-K attention',
    run: (gpu, rng) => run(gpu, rng, { n: 768, heads: 2, d: 64 }, { block: 16, topk: 8 }),
  },
];
