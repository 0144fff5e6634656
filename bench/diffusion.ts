// Masked-diffusion decoding with brown-mdlm: steps/s and tokens/s of each sampler, without and with
// each step cache, at 128 and 256 tokens; for a cached run also the speed-up over the uncached run of
// the same seed and the share of tokens that came out identical. Settings per length L: blocks of 32,
// L/4 steps (mdlm, llada), threshold 0.9. Each configuration runs once (its steps are the samples);
// medians are over steps. The threshold sampler takes as many steps as the model needs — about one per
// token with brown-mdlm, which is rarely confident — so its runs are the longest (~30 min in all here).

import { loadModelFolder } from '../src/formats/modelFolder.ts';
import { nodeFolder } from '../src/formats/nodeFolder.ts';
import { SHIPPED_DIR } from '../src/formats/nodeResolve.ts';
import type { MdlmConfig } from '../src/formats/config.ts';
import { Mdlm } from '../src/models/mdlm.ts';
import type { DiffusionStep } from '../src/samplers/diffusion.ts';
import { LladaSampler } from '../src/samplers/llada.ts';
import { MdlmSampler } from '../src/samplers/mdlm.ts';
import type { StepCacheMode } from '../src/samplers/stepCache.ts';
import { ThresholdSampler } from '../src/samplers/threshold.ts';
import { table, type Benchmark } from './harness.ts';
import { median } from './stats.ts';

type SamplerName = 'mdlm' | 'llada' | 'threshold';
const CONFIGS: Array<[SamplerName, StepCacheMode[]]> = [
  ['mdlm', ['none', 'dkv']],
  ['llada', ['none', 'prefix', 'dual', 'dkv']],
  ['threshold', ['none', 'prefix', 'dual', 'dkv']],
];

interface Row {
  sampler: SamplerName;
  cache: StepCacheMode;
  tokens: number;
  steps: number;
  ms: number; // whole run
  stepMsMedian: number;
  stepsPerSecond: number;
  tokensPerSecond: number; // generated tokens / run time
  speedup: number | null; // uncached ms / cached ms (same sampler, length, seed)
  identicalShare: number | null; // tokens equal to the uncached run's
}

export const benchmark: Benchmark = {
  summary: 'brown-mdlm samplers with and without step caches, 128 and 256 tokens',
  async run({ gpu, log }) {
    const loaded = await loadModelFolder(nodeFolder(`${SHIPPED_DIR}/brown-mdlm`));
    const model = await Mdlm.load(gpu, loaded.config as MdlmConfig, loaded.checkpoint);
    const rows: Row[] = [];
    for (const L of [128, 256]) {
      for (const [sampler, caches] of CONFIGS) {
        let plain: { ms: number; tokens: Int32Array } | null = null;
        for (const cache of caches) {
          const make = () => {
            const common = { length: L, blockLength: 32, temperature: 0, seed: 1, cache };
            if (sampler === 'mdlm') return new MdlmSampler(gpu, model, [], { steps: L / 4, length: L, seed: 1, cache });
            if (sampler === 'llada')
              return new LladaSampler(gpu, model, [], { ...common, steps: L / 4, remasking: 'low_confidence' });
            return new ThresholdSampler(gpu, model, [], { ...common, threshold: 0.9 });
          };
          const s = make();
          const stepMs: number[] = [];
          let last: DiffusionStep | null = null;
          const t0 = performance.now();
          for (;;) {
            const t = performance.now();
            const step = await s.step();
            if (!step) break;
            stepMs.push(performance.now() - t);
            last = step;
          }
          const ms = performance.now() - t0;
          s.release();
          const tokens = last!.tokens;
          if (cache === 'none') plain = { ms, tokens };
          const same = plain ? tokens.filter((t, i) => t === plain!.tokens[i]).length : 0;
          const row: Row = {
            sampler,
            cache,
            tokens: L,
            steps: stepMs.length,
            ms,
            stepMsMedian: median(stepMs),
            stepsPerSecond: (stepMs.length / ms) * 1000,
            tokensPerSecond: (L / ms) * 1000,
            speedup: cache === 'none' || !plain ? null : plain.ms / ms,
            identicalShare: cache === 'none' || !plain ? null : same / L,
          };
          rows.push(row);
          log(
            `${L} tokens, ${sampler}, cache ${cache}: ${row.steps} steps in ${ms.toFixed(0)} ms` +
              (row.speedup
                ? `, ${row.speedup.toFixed(2)}× faster, ${(100 * row.identicalShare!).toFixed(1)} % identical`
                : ''),
          );
        }
      }
    }
    model.dispose();
    const text = table(
      ['tokens', 'sampler', 'cache', 'steps', 'ms', 'ms/step', 'steps/s', 'tokens/s', 'speed-up', 'identical'],
      rows.map((r) => [
        String(r.tokens),
        r.sampler,
        r.cache,
        String(r.steps),
        r.ms.toFixed(0),
        r.stepMsMedian.toFixed(1),
        r.stepsPerSecond.toFixed(2),
        r.tokensPerSecond.toFixed(1),
        r.speedup === null ? '' : `${r.speedup.toFixed(2)}×`,
        r.identicalShare === null ? '' : `${(100 * r.identicalShare).toFixed(1)} %`,
      ]),
    );
    return {
      json: { model: 'brown-mdlm', adapter: `${gpu.adapter.vendor} / ${gpu.adapter.architecture}`, results: rows },
      text,
      failures: [],
    };
  },
};
