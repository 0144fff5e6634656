// Image-token generation with the shipped emoji models: ms per generator step of emoji-maskgit
// (12 steps) and emoji-ar (64 steps of 4 tokens), both with guidance 3 (two forwards per evaluation);
// the RVQ decode (codebook gather) and the conv decoder of emoji-rvq, from the profiler's per-kernel
// times; images/s end to end (every step, then one decode). A second table runs one emoji-maskgit
// forward (a half-fixed grid) with each attention setting and token-merge ratio: ms per forward,
// speed-up over dense and the relative L2 deviation of the logits from dense.

import type { ArImageConfig, MaskgitConfig } from '../src/formats/config.ts';
import { loadModelFolder } from '../src/formats/modelFolder.ts';
import { nodeFolder } from '../src/formats/nodeFolder.ts';
import { SHIPPED_DIR } from '../src/formats/nodeResolve.ts';
import type { Gpu } from '../src/gpu/gpu.ts';
import type { ModelAttention } from '../src/models/attentionMode.ts';
import { describeAttention } from '../src/models/attentionMode.ts';
import { ArImage } from '../src/models/arImage.ts';
import { Maskgit } from '../src/models/maskgit.ts';
import { RvqDecoder } from '../src/models/rvqDecoder.ts';
import { ArImageSampler } from '../src/samplers/arImage.ts';
import type { ImageTokenStep, TokenGrid } from '../src/samplers/imageTokens.ts';
import { MaskgitSampler } from '../src/samplers/maskgit.ts';
import { table, type Benchmark } from './harness.ts';
import { median } from './stats.ts';

const IMAGES = 3; // generated per generator (each image is many steps)
const CLASS_ID = 0;

interface GeneratorRow {
  generator: string;
  steps: number; // per image
  forwardsPerStep: number;
  stepMs: number; // median over all steps of all images
  imageMs: number; // median over images: all steps + one decode
  imagesPerSecond: number;
}

interface AttentionRow {
  setting: string;
  forwardMs: number; // median
  speedup: number; // dense ms / this ms
  logitsRelL2: number; // against dense on the same input
}

async function load(dir: string) {
  return loadModelFolder(nodeFolder(`${SHIPPED_DIR}/${dir}`), { requireTokenizer: false });
}

/** Median GPU ms of the decoder split into the codebook gather ("quantizer") and everything else. */
async function timeDecoder(gpu: Gpu, decoder: RvqDecoder, tokens: Int32Array, reps: number) {
  const rvq: number[] = [];
  const conv: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    await gpu.sync();
    gpu.profiler.enabled = true;
    await gpu.takeTimings();
    const out = decoder.decode(tokens, 4);
    await gpu.read(out);
    out.release();
    const t = await gpu.takeTimings();
    gpu.profiler.enabled = false;
    if (r === 0) continue; // warm-up
    rvq.push(t.filter((k) => k.name.startsWith('quantizer')).reduce((s, k) => s + k.ms, 0));
    conv.push(t.filter((k) => !k.name.startsWith('quantizer')).reduce((s, k) => s + k.ms, 0));
  }
  return { rvqMs: median(rvq), convMs: median(conv) };
}

async function timeSteps(sampler: { step(): Promise<ImageTokenStep | null> }) {
  const ms: number[] = [];
  let forwards = 0;
  let last: ImageTokenStep | null = null;
  for (;;) {
    const t0 = performance.now();
    const s = await sampler.step();
    if (!s) break;
    ms.push(performance.now() - t0);
    forwards = s.forwards;
    last = s;
  }
  return { ms, forwards, tokens: last!.tokens };
}

export const benchmark: Benchmark = {
  summary: 'emoji-maskgit and emoji-ar steps, RVQ + conv decoding, images/s; attention settings on a MaskGIT step',
  async run({ gpu, log, reps }) {
    const decoder = await RvqDecoder.load(gpu, await load('emoji-rvq'));
    const m = await load('emoji-maskgit');
    const maskgit = await Maskgit.load(gpu, m.config as MaskgitConfig, m.checkpoint);
    const a = await load('emoji-ar');
    const ar = await ArImage.load(gpu, a.config as ArImageConfig, a.checkpoint);
    const c = decoder.config;
    const grid: TokenGrid = {
      height: c.latentSize,
      width: c.latentSize,
      depths: c.numQuantizers,
      codebookSize: c.codebookSize,
    };
    const numClasses = maskgit.config.numClasses;

    const generators: GeneratorRow[] = [];
    let sample: Int32Array | null = null;
    for (const name of ['emoji-maskgit', 'emoji-ar'] as const) {
      const stepMs: number[] = [];
      const imageMs: number[] = [];
      let forwards = 0;
      let steps = 0;
      for (let i = 0; i < IMAGES + 1; i++) {
        const common = { classId: CLASS_ID, guidance: 3, temperature: 1, seed: 100 + i };
        const sampler =
          name === 'emoji-maskgit'
            ? new MaskgitSampler(gpu, maskgit, grid, { ...common, steps: 12, choiceTemperature: 4.5 }, numClasses)
            : new ArImageSampler(gpu, ar, grid, { ...common, topK: grid.codebookSize }, numClasses);
        const r = await timeSteps(sampler);
        if (sampler instanceof ArImageSampler) sampler.release();
        const t0 = performance.now();
        const rgb = decoder.decode(r.tokens, grid.depths);
        await gpu.read(rgb);
        rgb.release();
        const decodeMs = performance.now() - t0;
        if (i === 0) continue; // warm-up image (pipeline compiles)
        stepMs.push(...r.ms);
        imageMs.push(r.ms.reduce((s, x) => s + x, 0) + decodeMs);
        forwards = r.forwards;
        steps = r.ms.length;
        sample ??= r.tokens;
      }
      const img = median(imageMs);
      generators.push({
        generator: name,
        steps,
        forwardsPerStep: forwards,
        stepMs: median(stepMs),
        imageMs: img,
        imagesPerSecond: 1000 / img,
      });
      log(`${name}: ${median(stepMs).toFixed(1)} ms/step, ${img.toFixed(0)} ms/image`);
    }
    const decodeTimes = await timeDecoder(gpu, decoder, sample!, reps);
    log(`decoder: rvq ${decodeTimes.rvqMs.toFixed(3)} ms, conv ${decodeTimes.convMs.toFixed(2)} ms`);

    // One MaskGIT forward on a half-fixed grid (the sample with its finer half masked).
    const input = Int32Array.from(sample!, (t, i) => (i % grid.depths >= 2 ? grid.codebookSize : t));
    const settings: ModelAttention[] = [
      {},
      { mergeRatio: 0.25 },
      { mergeRatio: 0.5 },
      { attention: { kind: 'block-topk', blockSize: 16, topK: 2 } },
      { attention: { kind: 'llsa', blockSize: 4, topK: 4, levels: 2 } },
    ];
    const forward = async (s: ModelAttention) => {
      const t0 = performance.now();
      const out = maskgit.forward(input, CLASS_ID, s);
      const data = (await gpu.read(out)) as Float32Array;
      out.release();
      return { ms: performance.now() - t0, data };
    };
    const results: Array<{ s: ModelAttention; ms: number; data: Float32Array }> = [];
    for (const s of settings) {
      await forward(s); // warm-up
      const times: number[] = [];
      let data: Float32Array = new Float32Array(0);
      for (let r = 0; r < reps; r++) ({ ms: times[r], data } = await forward(s));
      results.push({ s, ms: median(times), data });
    }
    const dense = results[0];
    const attention: AttentionRow[] = results.map(({ s, ms, data }) => {
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < data.length; i++) {
        diff += (data[i] - dense.data[i]) ** 2;
        norm += dense.data[i] ** 2;
      }
      return {
        setting: describeAttention(s),
        forwardMs: ms,
        speedup: dense.ms / ms,
        logitsRelL2: Math.sqrt(diff / norm),
      };
    });

    const text = [
      table(
        ['generator', 'steps', 'fwd/step', 'ms/step', 'ms/image', 'images/s'],
        generators.map((g) => [
          g.generator,
          String(g.steps),
          String(g.forwardsPerStep),
          g.stepMs.toFixed(1),
          g.imageMs.toFixed(0),
          g.imagesPerSecond.toFixed(3),
        ]),
      ),
      '',
      `emoji-rvq decode (GPU time, median of ${reps}): RVQ gather ${decodeTimes.rvqMs.toFixed(3)} ms, conv decoder ${decodeTimes.convMs.toFixed(2)} ms`,
      '',
      `one emoji-maskgit forward (${grid.height}×${grid.width} grid, half the depths masked), median of ${reps}:`,
      table(
        ['setting', 'ms', 'speed-up', 'logits rel. L2'],
        attention.map((r) => [
          r.setting,
          r.forwardMs.toFixed(1),
          `${r.speedup.toFixed(2)}×`,
          r.logitsRelL2.toExponential(2),
        ]),
      ),
    ].join('\n');
    for (const mdl of [maskgit, ar]) mdl.dispose();
    decoder.dispose();
    return {
      json: {
        adapter: `${gpu.adapter.vendor} / ${gpu.adapter.architecture}`,
        generators,
        decoder: decodeTimes,
        attention,
      },
      text,
      failures: [],
    };
  },
};
