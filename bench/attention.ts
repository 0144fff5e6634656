// Attention benchmark: one head (d = 64) of bidirectional self-attention at N = 1,024 … 16,384 tokens,
// our dense flash kernel (src/kernels/attention.ts, the variant this adapter gets) against block top-K
// (B = 16, K = 8) and LLSA (B = 16, K = 8, L = ⌊log_B N⌋ − 1 levels: the paper's rule, which keeps
// the dense top-K at the coarsest level to between B and B² tokens; 1 level up to N = 4,095, 2 up to
// 65,535). Reports per-call times, the speed-ups over dense, and how much each grows when N quadruples
// (O(N²) → 16×, O(N log N) → a little over 4×). Before anything is timed, block top-K and LLSA are
// checked against their float64 references at every N (outputs and selected blocks), dense at the
// smallest N. Then rounds take one sample of every (method, size), a method's sizes back to back, so
// drift on a shared machine hits all sizes alike; growth factors are medians over rounds of the
// paired ratios time(N) / time(N/4), speed-ups ratios of medians. A contender expected to take longer
// than --max-ms per call (dense attention from a few thousand tokens on SwiftShader: its O(N²) reaches
// minutes at 16k) skips the warm-up (its pipeline is compiled at the smaller sizes) and gets as many
// samples as fit in SLOW_BUDGET_MS, at least one.

import type { Gpu } from '../src/gpu/gpu.ts';
import type { Tensor } from '../src/gpu/tensor.ts';
import { attention } from '../src/kernels/attention.ts';
import { attentionBlockTopk } from '../src/kernels/attentionBlockTopk.ts';
import { llsa, llsaLevels } from '../src/kernels/llsa.ts';
import { attentionRef } from '../src/kernels/reference/attention.ts';
import { blockTopkRef } from '../src/kernels/reference/attentionBlockTopk.ts';
import { compare } from '../src/kernels/reference/compare.ts';
import { llsaRef } from '../src/kernels/reference/llsa.ts';
import { llsaKeys } from '../src/kernels/selfchecks/llsa.ts';
import { Rng } from '../src/shared/rng.ts';
import { table, timeKernels, type BenchContext, type BenchOutput, type Benchmark } from './harness.ts';
import { median, summarize, type Summary } from './stats.ts';

const SIZES = [1024, 2048, 4096, 8192, 16384];
const HEAD_DIM = 64;
const BLOCK = 16;
const TOPK = 8;
const SLOW_BUDGET_MS = 30_000; // time per size for a contender slower than --max-ms per call
const DENSE_CHECK_MAX_N = 1024; // the float64 dense reference is O(N²·d) on the host

type Method = 'dense' | 'blockTopk' | 'llsa';
const METHODS: Method[] = ['dense', 'blockTopk', 'llsa'];
const ROUND_ORDER: Method[] = ['llsa', 'blockTopk', 'dense'];
const NAMES: Record<Method, string> = { dense: 'dense flash', blockTopk: 'block top-K', llsa: 'LLSA' };
// How a method's time is expected to grow with N, to predict the next size from the last.
const EXPONENT: Record<Method, number> = { dense: 2, blockTopk: 1.25, llsa: 1.25 };

interface Size {
  n: number;
  levels: number; // LLSA's L at this N
  q: Tensor; // [N, 1, D]
  k: Tensor; // [N, 1, D]
  v: Tensor; // [N, 1, D]
  samples: Record<Method, number[]>; // ms
  wanted: Record<Method, number>; // samples to take
  failed: Partial<Record<Method, string>>; // wrong results: not timed
}

interface ResultRow {
  n: number;
  headDim: number;
  heads: number;
  block: number;
  topk: number;
  llsaLevels: number;
  keysPerQuery: Record<Method, number>; // keys one query row attends to
  denseMs: number; // medians; NaN when not measured
  blockTopkMs: number;
  llsaMs: number;
  samples: Record<Method, number>;
  minMs: Record<Method, number>;
  iqrMs: Record<Method, number>;
  speedupBlockTopk: number; // denseMs / blockTopkMs
  speedupLlsa: number; // denseMs / llsaMs
  growthX4: Record<Method, number | null>; // median over rounds of ms(N) / ms(N/4); null below N = 4,096
  growthX4Min: Record<Method, number | null>; // fastest ms(N) / fastest ms(N/4) (contention only adds time)
}

function launch(gpu: Gpu, m: Method, s: Size): void {
  if (m === 'dense') {
    attention(gpu, s.q, s.k, s.v, { label: 'bench.dense' }).release();
  } else if (m === 'blockTopk') {
    const r = attentionBlockTopk(gpu, s.q, s.k, s.v, { block: BLOCK, topk: TOPK, label: 'bench.blocktopk' });
    r.out.release();
    r.indices.release();
  } else {
    const r = llsa(gpu, s.q, s.k, s.v, { block: BLOCK, topk: TOPK, levels: s.levels, label: 'bench.llsa' });
    r.out.release();
    for (const t of r.selected) t.release();
  }
}

/** Runs each method once against its reference; returns what is wrong, per method. */
async function verify(
  gpu: Gpu,
  s: Size,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
): Promise<Partial<Record<Method, string>>> {
  const dims = { n: s.n, heads: 1, d: HEAD_DIM };
  const wrong: Partial<Record<Method, string>> = {};
  const judge = (m: Method, got: ArrayLike<number>, want: ArrayLike<number>, reduction: number, sameBlocks = true) => {
    const c = compare(got, want, reduction);
    if (!c.pass) wrong[m] = `max error ${c.maxAbsErr.toExponential(2)} > ${c.tolerance.toExponential(2)}`;
    else if (!sameBlocks) wrong[m] = 'selected blocks differ from the reference';
  };
  const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
    a.length === b.length && Array.from(a).every((x, i) => x === b[i]);

  const bt = attentionBlockTopk(gpu, s.q, s.k, s.v, { block: BLOCK, topk: TOPK });
  const btWant = blockTopkRef(q, k, v, dims, { block: BLOCK, topk: TOPK });
  judge(
    'blockTopk',
    await gpu.read(bt.out),
    btWant.out,
    TOPK * BLOCK,
    same(await gpu.read(bt.indices), btWant.indices),
  );
  bt.out.release();
  bt.indices.release();

  const ll = llsa(gpu, s.q, s.k, s.v, { block: BLOCK, topk: TOPK, levels: s.levels });
  const llWant = llsaRef(q, k, v, dims, { block: BLOCK, topk: TOPK, levels: s.levels });
  const llBlocks = await Promise.all(ll.selected.map((t) => gpu.read(t)));
  judge(
    'llsa',
    await gpu.read(ll.out),
    llWant.out,
    llsaKeys(s.n, BLOCK, TOPK, s.levels),
    llBlocks.every((b, l) => same(b, llWant.selected[l])),
  );
  ll.out.release();
  for (const t of ll.selected) t.release();

  if (s.n <= DENSE_CHECK_MAX_N) {
    const d = attention(gpu, s.q, s.k, s.v);
    judge('dense', await gpu.read(d), attentionRef(q, k, v, { tq: s.n, tk: s.n, hq: 1, hkv: 1, d: HEAD_DIM }), s.n);
    d.release();
  }
  return wrong;
}

const medianOf = (r: ResultRow, m: Method) => ({ dense: r.denseMs, blockTopk: r.blockTopkMs, llsa: r.llsaMs })[m];
const fmt = (x: number | null, digits: number) => (x !== null && Number.isFinite(x) ? x.toFixed(digits) : '-');

export const benchmark: Benchmark = {
  summary: 'dense flash vs block top-K vs LLSA attention, N = 1k … 16k tokens, one head of d = 64',
  async run(ctx: BenchContext): Promise<BenchOutput> {
    const { gpu, log } = ctx;
    const rng = new Rng(2025);
    const failures: string[] = [];
    const sizes: Size[] = [];
    // Time per call of each method at the previous size: measured, or predicted when not run.
    const last: Partial<Record<Method, { n: number; ms: number }>> = {};

    // Phase 1, size by size: check against the references, warm up, and decide how many samples.
    for (const n of SIZES) {
      const [q, k, v] = [rng.floats(n * HEAD_DIM), rng.floats(n * HEAD_DIM), rng.floats(n * HEAD_DIM)];
      const s: Size = {
        n,
        levels: llsaLevels(n, BLOCK),
        q: gpu.upload(q, [n, 1, HEAD_DIM], 'q'),
        k: gpu.upload(k, [n, 1, HEAD_DIM], 'k'),
        v: gpu.upload(v, [n, 1, HEAD_DIM], 'v'),
        samples: { dense: [], blockTopk: [], llsa: [] },
        wanted: { dense: ctx.reps, blockTopk: ctx.reps, llsa: ctx.reps },
        failed: {},
      };
      sizes.push(s);
      const dense = n <= DENSE_CHECK_MAX_N ? ' and dense' : '';
      log(`N=${n}: checking block top-K and LLSA (L=${s.levels})${dense} against the float64 references`);
      s.failed = await verify(gpu, s, q, k, v);
      for (const [m, why] of Object.entries(s.failed)) failures.push(`${NAMES[m as Method]} at N=${n}: ${why}`);
      for (const m of METHODS) {
        if (s.failed[m]) continue;
        const prev = last[m];
        const predicted = prev ? prev.ms * (n / prev.n) ** EXPONENT[m] : 0;
        if (predicted > ctx.maxMs) {
          s.wanted[m] = Math.max(1, Math.min(ctx.reps, Math.floor(SLOW_BUDGET_MS / predicted)));
          last[m] = { n, ms: predicted };
          const secs = (predicted / 1000).toFixed(1);
          log(`N=${n}: ${NAMES[m]} expected at ~${secs} s per call: no warm-up, ${s.wanted[m]} sample(s)`);
        } else {
          let ms = 0;
          for (let i = 0; i < ctx.warmup; i++) ms = await timeKernels(gpu, () => launch(gpu, m, s));
          last[m] = { n, ms };
        }
      }
    }

    // Phase 2: rounds of one sample per (method, size), a method's sizes back to back (the slow dense
    // samples last), so that drift on the shared machine hits every size alike and sample i of two
    // sizes comes from the same moment: the growth factors are medians of these paired ratios.
    const rounds = Math.max(...sizes.flatMap((s) => METHODS.map((m) => s.wanted[m])));
    for (let r = 0; r < rounds; r++) {
      log(`round ${r + 1}/${rounds}`);
      for (const m of ROUND_ORDER) {
        for (const s of sizes) {
          if (s.failed[m] || s.samples[m].length >= s.wanted[m]) continue;
          s.samples[m].push(await timeKernels(gpu, () => launch(gpu, m, s)));
        }
      }
    }

    const rows: ResultRow[] = [];
    for (const s of sizes) {
      for (const t of [s.q, s.k, s.v]) t.release();
      const stats = Object.fromEntries(METHODS.map((m) => [m, summarize(s.samples[m])])) as Record<Method, Summary>;
      const quarter = rows.find((row) => row.n === s.n / 4);
      const quarterSamples = sizes.find((x) => x.n === s.n / 4)?.samples;
      const growthX4 = Object.fromEntries(
        METHODS.map((m) => {
          const before = quarterSamples?.[m] ?? [];
          const pairs = s.samples[m].slice(0, before.length).map((ms, i) => ms / before[i]);
          return [m, pairs.length > 0 ? median(pairs) : null];
        }),
      ) as Record<Method, number | null>;
      const growthX4Min = Object.fromEntries(
        METHODS.map((m) => [m, quarter ? stats[m].min / quarter.minMs[m] : null]),
      ) as Record<Method, number | null>;
      rows.push({
        n: s.n,
        headDim: HEAD_DIM,
        heads: 1,
        block: BLOCK,
        topk: TOPK,
        llsaLevels: s.levels,
        keysPerQuery: { dense: s.n, blockTopk: TOPK * BLOCK, llsa: llsaKeys(s.n, BLOCK, TOPK, s.levels) },
        denseMs: stats.dense.median,
        blockTopkMs: stats.blockTopk.median,
        llsaMs: stats.llsa.median,
        samples: { dense: stats.dense.n, blockTopk: stats.blockTopk.n, llsa: stats.llsa.n },
        minMs: { dense: stats.dense.min, blockTopk: stats.blockTopk.min, llsa: stats.llsa.min },
        iqrMs: { dense: stats.dense.iqr, blockTopk: stats.blockTopk.iqr, llsa: stats.llsa.iqr },
        speedupBlockTopk: stats.dense.median / stats.blockTopk.median,
        speedupLlsa: stats.dense.median / stats.llsa.median,
        growthX4,
        growthX4Min,
      });
    }

    const top = rows[rows.length - 1];
    const targets = {
      llsaSpeedupAtMaxN: top.speedupLlsa, // target ≥ 10
      llsaGrowthX4AtMaxN: top.growthX4.llsa, // target ≤ 5
      llsaGrowthX4MinAtMaxN: top.growthX4Min.llsa,
    };
    const a = gpu.adapter;
    const ms = (r: ResultRow, m: Method) => `${fmt(medianOf(r, m), 1)} (${r.samples[m]})`;
    const lines = [
      `adapter: ${a.vendor} ${a.architecture} (${a.description || a.device}), class ${a.adapterClass}, timing: ${gpu.profiler.source}`,
      `one head, d=${HEAD_DIM}, bidirectional; block top-K and LLSA with B=${BLOCK}, K=${TOPK}; LLSA levels L = ⌊log_B N⌋ − 1`,
      `ms per call: median (samples); ${ctx.warmup} warm-up runs, then up to ${ctx.reps} samples, all sizes per round; a contender`,
      `expected above --max-ms ${ctx.maxMs} ms per call gets no warm-up and ⌊${SLOW_BUDGET_MS / 1000} s / expected⌋ samples (at least 1)`,
      '×4 = median over rounds of time(N) / time(N/4) (min: fastest over fastest): 16 for O(N²), ~4.7 for O(N log N) from 4k to 16k',
      '',
      table(
        [
          'N',
          'L',
          'dense ms',
          'top-K ms',
          'LLSA ms',
          'dense/top-K',
          'dense/LLSA',
          'dense ×4',
          'top-K ×4',
          'LLSA ×4',
          'LLSA ×4 min',
          'LLSA keys',
        ],
        rows.map((r) => [
          String(r.n),
          String(r.llsaLevels),
          ms(r, 'dense'),
          ms(r, 'blockTopk'),
          ms(r, 'llsa'),
          fmt(r.speedupBlockTopk, 1),
          fmt(r.speedupLlsa, 1),
          fmt(r.growthX4.dense, 2),
          fmt(r.growthX4.blockTopk, 2),
          fmt(r.growthX4.llsa, 2),
          fmt(r.growthX4Min.llsa, 2),
          String(r.keysPerQuery.llsa),
        ]),
      ),
      '',
      `target: LLSA at N=${top.n} ≥ 10× faster than dense: ${fmt(targets.llsaSpeedupAtMaxN, 1)}×`,
      `target: LLSA grows ≤ 5× from N=${top.n / 4} to ${top.n}: ${fmt(targets.llsaGrowthX4AtMaxN, 2)}× (paired samples), ${fmt(targets.llsaGrowthX4MinAtMaxN, 2)}× (fastest samples)`,
    ];
    const json = {
      adapter: { vendor: a.vendor, architecture: a.architecture, description: a.description, class: a.adapterClass },
      timing: gpu.profiler.source,
      warmup: ctx.warmup,
      reps: ctx.reps,
      maxMs: ctx.maxMs,
      slowBudgetMs: SLOW_BUDGET_MS,
      levelRule: 'L = max(1, floor(log_B N) - 1)',
      results: rows,
      targets,
    };
    return { json, text: lines.join('\n'), failures };
  },
};
