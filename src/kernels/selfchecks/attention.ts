import type { Gpu } from '../../gpu/gpu.ts';
import type { Rng } from '../../shared/rng.ts';
import { attention, type AttentionOptions } from '../attention.ts';
import { attentionRef, type AttentionDims } from '../reference/attention.ts';
import { measure, type CheckOutcome, type KernelCheck } from '../selfcheck.ts';

async function run(gpu: Gpu, rng: Rng, dims: AttentionDims, opts: AttentionOptions): Promise<CheckOutcome> {
  const { tq, tk, hq, hkv, d } = dims;
  const q = rng.floats(tq * hq * d);
  const k = rng.floats(tk * hkv * d);
  const v = rng.floats(tk * hkv * d);
  const tQ = gpu.upload(q, [tq, hq, d], 'q'); // [Tq, Hq, D]
  const tK = gpu.upload(k, [tk, hkv, d], 'k'); // [Tk, Hkv, D]
  const tV = gpu.upload(v, [tk, hkv, d], 'v'); // [Tk, Hkv, D]
  const r = await measure(
    gpu,
    () => attention(gpu, tQ, tK, tV, opts),
    attentionRef(q, k, v, dims, opts),
    Math.max(d, opts.kvLen ?? tk),
    `Tq=${tq} Tk=${tk} Hq=${hq} Hkv=${hkv} D=${d}`,
  );
  tQ.release();
  tK.release();
  tV.release();
  return r;
}

export const attentionChecks: KernelCheck[] = [
  {
    name: 'attention',
    run: (gpu, rng) => run(gpu, rng, { tq: 45, tk: 45, hq: 4, hkv: 4, d: 64 }, {}),
  },
  {
    name: 'attention (causal)',
    // A prefill chunk of 20 queries at positions 37…56 against a cache with 57 of 64 slots filled.
    run: (gpu, rng) =>
      run(gpu, rng, { tq: 20, tk: 64, hq: 2, hkv: 2, d: 80 }, { causal: true, qOffset: 37, kvLen: 57 }),
  },
  {
    name: 'attention (GQA)',
    run: (gpu, rng) => run(gpu, rng, { tq: 33, tk: 33, hq: 8, hkv: 2, d: 32 }, { causal: true }),
  },
];
