// Autoregressive decoding of brown-gpt2 in Node (Dawn) and in the browser (Chromium, engine in its
// Web Worker): prefill tokens/s (the whole prompt in one step), decode tokens/s (one token per step,
// logits read back and sampled) and GPU memory (weights, pooled buffers at the peak). The same code
// measures both (bench/arCore.ts); medians over `reps` runs after `warmup`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import { launchBrowser } from '../e2e/browser.ts';
import { nodeSources } from '../src/cli/nodeSources.ts';
import { LocalEngine } from '../src/engine/engine.ts';
import { runArBench, type ArBenchResult } from './arCore.ts';
import { table, type BenchContext, type Benchmark } from './harness.ts';
import { median } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DECODE = 32;
const MiB = 1024 * 1024;

async function inNode(ctx: BenchContext): Promise<ArBenchResult> {
  const noProgress = { onProgress: () => undefined };
  const engine = new LocalEngine(() => Promise.resolve(ctx.gpu), nodeSources(noProgress, new AbortController().signal));
  return runArBench(engine, {
    model: 'brown-gpt2',
    warmup: ctx.warmup,
    reps: ctx.reps,
    decode: DECODE,
    log: (l) => ctx.log(`node: ${l}`),
  });
}

async function inBrowser(ctx: BenchContext): Promise<ArBenchResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
  try {
    ctx.log('browser: building the benchmark page …');
    await build({
      root: ROOT,
      configFile: join(ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, rollupOptions: { input: { ar: join(ROOT, 'bench/browser/ar.html') } } },
    });
    const server = await preview({
      root: ROOT,
      configFile: join(ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0 },
    });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      page.on('console', (m) => ctx.log(`browser: ${m.text()}`));
      const url = `${server.resolvedUrls!.local[0]}bench/browser/ar.html?warmup=${ctx.warmup}&reps=${ctx.reps}&decode=${DECODE}`;
      await page.goto(url);
      await page.waitForFunction(() => document.getElementById('result')?.textContent?.startsWith('{'), null, {
        timeout: 600_000,
      });
      const parsed = JSON.parse((await page.textContent('#result'))!) as ArBenchResult | { error: string };
      if ('error' in parsed) throw new Error(`the benchmark page failed: ${parsed.error}`);
      return parsed;
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function summary(where: string, r: ArBenchResult) {
  const prefillMs = median(r.prefillMs);
  const decodeMs = median(r.decodeMsPerToken);
  return {
    where,
    promptTokens: r.promptTokens,
    prefillMs,
    prefillTokensPerSecond: (r.promptTokens / prefillMs) * 1000,
    decodeMsPerToken: decodeMs,
    decodeTokensPerSecond: 1000 / decodeMs,
    weightBytes: r.memory.weightBytes,
    peakPoolBytes: r.memory.peakPoolBytes,
  };
}

export const benchmark: Benchmark = {
  summary: 'brown-gpt2 prefill and decode tokens/s and GPU memory, in Node and in the browser',
  async run(ctx) {
    const rows = [
      summary('node (Dawn)', await inNode(ctx)),
      summary('browser (Chromium worker)', await inBrowser(ctx)),
    ];
    const text = [
      `brown-gpt2 on ${ctx.gpu.adapter.vendor} / ${ctx.gpu.adapter.architecture}; medians of ${ctx.reps} runs, decode = median step of ${DECODE}`,
      table(
        [
          'where',
          'prompt',
          'prefill ms',
          'prefill tok/s',
          'decode ms/tok',
          'decode tok/s',
          'weights MiB',
          'pool peak MiB',
        ],
        rows.map((r) => [
          r.where,
          String(r.promptTokens),
          r.prefillMs.toFixed(1),
          r.prefillTokensPerSecond.toFixed(1),
          r.decodeMsPerToken.toFixed(1),
          r.decodeTokensPerSecond.toFixed(1),
          (r.weightBytes / MiB).toFixed(1),
          (r.peakPoolBytes / MiB).toFixed(1),
        ]),
      ),
    ].join('\n');
    return { json: { model: 'brown-gpt2', results: rows }, text, failures: [] };
  },
};
