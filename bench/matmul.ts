// Matmul benchmark: every variant of src/kernels/matmul.ts on a square, a decode (M = 1, both
// weight layouts) and a tall-skinny shape, against the FMA ceiling and copy bandwidth measured in
// the same run. Contenders run round-robin (one sample of each per round, the ceilings included) so
// drift on a shared machine hits them all alike. Results are checked against the float64 reference
// before anything is timed.

import type { Gpu } from '../src/gpu/gpu.ts';
import type { Tensor } from '../src/gpu/tensor.ts';
import { MATMUL_VARIANTS, matmul, matmulVariant, type MatmulVariant } from '../src/kernels/matmul.ts';
import { compare } from '../src/kernels/reference/compare.ts';
import { matmulRef } from '../src/kernels/reference/matmul.ts';
import { Rng } from '../src/shared/rng.ts';
import { Ceilings } from './ceiling.ts';
import { table, timeKernels, type BenchContext, type BenchOutput, type Benchmark } from './harness.ts';
import { summarize, type Summary } from './stats.ts';

interface Shape {
  label: string; // what the shape stands for
  m: number;
  n: number;
  k: number;
  transB: boolean; // b stored [N, K] (nn.Linear) rather than [K, N] (GPT-2 Conv1D)
}

const SHAPES: Shape[] = [
  { label: 'square', m: 512, n: 512, k: 512, transB: false },
  { label: 'decode', m: 1, n: 3072, k: 768, transB: false }, // GPT-2 MLP up-projection, one token
  { label: 'decode', m: 1, n: 3072, k: 768, transB: true },
  { label: 'tall-skinny', m: 4096, n: 64, k: 64, transB: false },
];

interface Contender {
  name: string; // variant, plus " (transB)" for the [N, K] layout
  variant: MatmulVariant;
  shape: Shape;
  isDefault: boolean; // what matmul() picks for this shape on this adapter
  a: Tensor; // [M, K]
  b: Tensor; // [K, N] or [N, K]
  samples: number[]; // ms
  skipped?: Skip; // why it was not timed
}

interface Skip {
  wrong: boolean; // failed the reference check (a failure of the run), else merely too slow
  reason: string;
}

interface ResultRow {
  name: string;
  m: number;
  n: number;
  k: number;
  gflops: number; // at the median time
  ratioToCeiling: number; // gflops / FMA ceiling
  ratioToRoofline: number; // gflops / min(ceiling, intensity · bandwidth)
  ms: number; // median
  minMs: number;
  iqrMs: number;
  shape: string;
  transB: boolean;
  isDefault: boolean;
}

const flops = (s: Shape) => 2 * s.m * s.n * s.k;
// FLOPs per byte of the minimal traffic: read a and b once, write out once.
const intensity = (s: Shape) => flops(s) / (4 * (s.m * s.k + s.k * s.n + s.m * s.n));

function launch(gpu: Gpu, c: Contender): Tensor {
  return matmul(gpu, c.a, c.b, { transB: c.shape.transB, variant: c.variant, label: `matmul.${c.variant}` });
}

/** Warm-up runs; the first is checked against the reference. Returns why to skip, if so. */
async function warmUp(ctx: BenchContext, c: Contender, want: Float64Array): Promise<Skip | undefined> {
  const { gpu } = ctx;
  const out = launch(gpu, c);
  const cmp = compare(await gpu.read(out), want, c.shape.k);
  out.release();
  if (!cmp.pass) {
    const reason = `wrong results (max error ${cmp.maxAbsErr.toExponential(2)} > ${cmp.tolerance.toExponential(2)})`;
    return { wrong: true, reason };
  }
  let ms = 0;
  for (let i = 0; i < ctx.warmup; i++) {
    ms = await timeKernels(gpu, () => launch(gpu, c).release());
  }
  if (ms > ctx.maxMs)
    return { wrong: false, reason: `too slow to repeat: ${ms.toFixed(0)} ms per run (> --max-ms ${ctx.maxMs})` };
  return undefined;
}

const fmt = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : '-');

export const benchmark: Benchmark = {
  summary: 'matmul variants on square, decode and tall-skinny shapes vs the FMA ceiling and copy bandwidth',
  async run(ctx) {
    const { gpu, log } = ctx;
    const rng = new Rng(2024);
    const ceilings = new Ceilings(gpu);
    log('calibrating the FMA and copy kernels');
    await ceilings.calibrate();

    const contenders: Contender[] = [];
    const failures: string[] = [];
    for (const shape of SHAPES) {
      const { m, n, k } = shape;
      const av = rng.floats(m * k);
      const bv = rng.floats(k * n);
      const a = gpu.upload(av, [m, k], 'a');
      const b = gpu.upload(bv, shape.transB ? [n, k] : [k, n], 'b');
      const want = matmulRef(av, bv, { batch: 1, m, n, k, transB: shape.transB });
      for (const variant of MATMUL_VARIANTS) {
        const c: Contender = {
          name: `${variant}${shape.transB ? ' (transB)' : ''}`,
          variant,
          shape,
          isDefault: matmulVariant(gpu, m) === variant,
          a,
          b,
          samples: [],
        };
        log(`warm-up ${c.name} ${m}×${n}×${k}`);
        c.skipped = await warmUp(ctx, c, want);
        if (c.skipped) log(`  skipped: ${c.skipped.reason}`);
        if (c.skipped?.wrong) failures.push(`${c.name} ${m}×${n}×${k}: ${c.skipped.reason}`);
        contenders.push(c);
      }
    }

    const fmaSamples: number[] = [];
    const copySamples: number[] = [];
    const active = contenders.filter((c) => !c.skipped);
    for (let r = 0; r < ctx.reps; r++) {
      log(`round ${r + 1}/${ctx.reps}`);
      fmaSamples.push(await ceilings.fma());
      copySamples.push(await ceilings.copy());
      for (const c of active) c.samples.push(await timeKernels(gpu, () => launch(gpu, c).release()));
    }
    ceilings.release();
    for (const a of new Set(contenders.map((c) => c.a))) a.release();
    for (const b of new Set(contenders.map((c) => c.b))) b.release();

    const fmaStats = summarize(fmaSamples);
    const copyStats = summarize(copySamples);
    const ceiling = fmaStats.median;
    const bandwidth = copyStats.median;
    const results: ResultRow[] = active.map((c) => {
      const t: Summary = summarize(c.samples);
      const gflops = flops(c.shape) / (t.median * 1e6);
      const roof = Math.min(ceiling, intensity(c.shape) * bandwidth);
      return {
        name: c.name,
        m: c.shape.m,
        n: c.shape.n,
        k: c.shape.k,
        gflops,
        ratioToCeiling: gflops / ceiling,
        ratioToRoofline: gflops / roof,
        ms: t.median,
        minMs: t.min,
        iqrMs: t.iqr,
        shape: c.shape.label,
        transB: c.shape.transB,
        isDefault: c.isDefault,
      };
    });
    const skipped = contenders
      .filter((c) => c.skipped)
      .map((c) => ({ name: c.name, m: c.shape.m, n: c.shape.n, k: c.shape.k, reason: c.skipped?.reason ?? '' }));

    const a = gpu.adapter;
    const lines = [
      `adapter: ${a.vendor} ${a.architecture} (${a.description || a.device}), class ${a.adapterClass}, timing: ${gpu.profiler.source}`,
      `FMA ceiling: ${fmt(ceiling, 2)} GFLOP/s (median of ${fmaStats.n}, min ${fmt(fmaStats.min, 2)}, max ${fmt(fmaStats.max, 2)})`,
      `copy bandwidth: ${fmt(bandwidth, 2)} GB/s read+write (64 MB → 64 MB, median of ${copyStats.n}, min ${fmt(copyStats.min, 2)}, max ${fmt(copyStats.max, 2)})`,
      `${ctx.warmup} warm-up runs, then the median of ${ctx.reps} (interleaved); * = matmul()'s default for the shape`,
      'ratio = GFLOP/s ÷ FMA ceiling; roofline = GFLOP/s ÷ min(ceiling, FLOP/byte · copy bandwidth), above 1 when',
      'the operands stay in cache (the copy kernel streams 128 MB through memory)',
      '',
      table(
        ['name', 'shape', 'm', 'n', 'k', 'ms', 'min ms', 'IQR ms', 'GFLOP/s', 'ratio', 'roofline'],
        results.map((r) => [
          `${r.name}${r.isDefault ? ' *' : ''}`,
          r.shape,
          String(r.m),
          String(r.n),
          String(r.k),
          fmt(r.ms, 2),
          fmt(r.minMs, 2),
          fmt(r.iqrMs, 2),
          fmt(r.gflops, 3),
          fmt(r.ratioToCeiling, 3),
          fmt(r.ratioToRoofline, 3),
        ]),
      ),
      ...skipped.map((s) => `skipped ${s.name} ${s.m}×${s.n}×${s.k}: ${s.reason}`),
    ];
    const json = {
      adapter: { vendor: a.vendor, architecture: a.architecture, description: a.description, class: a.adapterClass },
      timing: gpu.profiler.source,
      warmup: ctx.warmup,
      reps: ctx.reps,
      ceilingGflops: ceiling,
      bandwidthGBs: bandwidth,
      results,
      skipped,
    };
    const output: BenchOutput = { json, text: lines.join('\n'), failures };
    return output;
  },
};
