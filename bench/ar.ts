// Autoregressive decoding of brown-gpt2: prefill tokens/s (a 128-token prompt in one forward pass),
// decode tokens/s (64 single-token steps against the KV cache, logits read back each step as the
// sampler does) and GPU memory (weights, KV cache, activations pooled at the peak). Medians of
// `reps` runs after `warmup` runs. Node only (Dawn); see the README for the browser figure.

import { loadModelFolder } from '../src/formats/modelFolder.ts';
import { nodeFolder } from '../src/formats/nodeFolder.ts';
import { SHIPPED_DIR } from '../src/formats/nodeResolve.ts';
import { loadCausalLm } from '../src/models/registry.ts';
import { Rng } from '../src/shared/rng.ts';
import { table, type Benchmark } from './harness.ts';
import { summarize } from './stats.ts';

const PROMPT = 128;
const DECODE = 64;
const MiB = 1024 * 1024;

export const benchmark: Benchmark = {
  summary: 'brown-gpt2 prefill and decode tokens/s and GPU memory',
  async run({ gpu, warmup, reps, log }) {
    const model = await loadCausalLm(gpu, await loadModelFolder(nodeFolder(`${SHIPPED_DIR}/brown-gpt2`)));
    const rng = new Rng(1);
    const prompt = Int32Array.from({ length: PROMPT }, () => rng.int(model.vocabSize - 2));
    const prefillMs: number[] = [];
    const decodeMs: number[] = [];
    let peak = 0;
    let cacheBytes = 0;
    for (let r = 0; r < warmup + reps; r++) {
      const cache = model.newCache(PROMPT + DECODE);
      cacheBytes = cache.bytes;
      await gpu.sync();
      let t0 = performance.now();
      const first = model.forward(prompt, cache, { lastOnly: true }); // [1, V]
      await gpu.read(first);
      first.release();
      const prefill = performance.now() - t0;
      t0 = performance.now();
      let next = 0;
      for (let i = 0; i < DECODE; i++) {
        const logits = model.forward(Int32Array.of(next), cache, { lastOnly: true }); // [1, V]
        const host = await gpu.read(logits);
        logits.release();
        next = host.indexOf(Math.max(...host));
      }
      const decode = performance.now() - t0;
      const m = gpu.memory();
      peak = Math.max(peak, m.liveBytes + m.pooledBytes);
      cache.release();
      if (r >= warmup) {
        prefillMs.push(prefill);
        decodeMs.push(decode);
        log(`run ${r - warmup + 1}/${reps}: prefill ${prefill.toFixed(0)} ms, decode ${decode.toFixed(0)} ms`);
      }
    }
    model.dispose();
    const p = summarize(prefillMs);
    const d = summarize(decodeMs);
    const json = {
      model: 'brown-gpt2',
      adapter: `${gpu.adapter.vendor} / ${gpu.adapter.architecture}`,
      promptTokens: PROMPT,
      decodeTokens: DECODE,
      prefillTokensPerSecond: (PROMPT / p.median) * 1000,
      decodeTokensPerSecond: (DECODE / d.median) * 1000,
      prefillMs: p,
      decodeMs: d,
      memory: { weightBytes: model.weightBytes, kvCacheBytes: cacheBytes, peakPoolBytes: peak },
    };
    const text = [
      `brown-gpt2 on ${json.adapter} (median of ${reps})`,
      table(
        ['phase', 'tokens', 'median ms', 'IQR ms', 'tokens/s'],
        [
          ['prefill', String(PROMPT), p.median.toFixed(1), p.iqr.toFixed(1), json.prefillTokensPerSecond.toFixed(1)],
          ['decode', String(DECODE), d.median.toFixed(1), d.iqr.toFixed(1), json.decodeTokensPerSecond.toFixed(1)],
        ],
      ),
      `GPU memory: weights ${(model.weightBytes / MiB).toFixed(1)} MiB, KV cache ${(cacheBytes / MiB).toFixed(2)} MiB, ` +
        `pooled buffers at peak ${(peak / MiB).toFixed(1)} MiB`,
    ].join('\n');
    return { json, text, failures: [] };
  },
};
