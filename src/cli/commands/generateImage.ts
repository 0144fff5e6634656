// `generate --model emoji-maskgit|emoji-ar --class NAME …` — an image from a class, by MaskGIT
// refinement steps or token by token, decoded by the generator's RVQ tokenizer and written as PNG.
// --trace writes every step in the text models' trace shape, tokens flattened in the documented
// layout (index = (y · width + x) · depths + depth). With --attention or --merge-ratio (MaskGIT), the
// dense run at the same seed is made too, and the deviation and time saved are reported.

import type { EngineApi, ImageSettings, ImageStepView, KernelTiming, LoadedModelInfo } from '../../engine/api.ts';
import { badInput } from '../../shared/errors.ts';
import type { ParsedArgs } from '../args.ts';
import type { CliIo } from '../io.ts';
import { encodePng, scaleRgba } from '../png.ts';
import { attentionChoice, isDenseChoice } from './attentionOptions.ts';
import { addTimings } from './kernelTimings.ts';
import { INTERRUPTED, stepUntilDone, stoppedLine } from './steps.ts';
import { writeOutput } from '../outputFiles.ts';
import { median } from '../../shared/median.ts';

/** Options of `generate` that image generators take (besides --model and --json). */
export const IMAGE_OPTIONS = [
  'class',
  'cfg',
  'out',
  'scale',
  'steps',
  'seed',
  'temperature',
  'choice-temperature',
  'top-k',
  'trace',
];
/** Of those and the attention options, the ones only MaskGIT takes, and only AR. */
const MASKGIT_ONLY = [
  'steps',
  'choice-temperature',
  'attention',
  'block-size',
  'top-k-blocks',
  'levels',
  'merge-ratio',
];
const AR_ONLY = ['top-k'];

interface ImageRun {
  sampler: string;
  maskTokenId: number;
  tokenizer: string;
  steps: ImageStepView[];
  ms: number; // wall time of all steps (sampling and decoding)
  timings: Map<string, KernelTiming>;
  interrupted: boolean; // Ctrl-C stopped it
}

async function runImage(
  engine: EngineApi,
  handle: string,
  settings: ImageSettings,
  io: CliIo,
  quiet: boolean,
): Promise<ImageRun> {
  const session = await engine.startImage(handle, settings);
  if (!quiet) for (const n of session.notices) io.err(`notice: ${n}`);
  const run: ImageRun = {
    sampler: session.sampler,
    maskTokenId: session.maskTokenId,
    tokenizer: session.tokenizer,
    steps: [],
    ms: 0,
    timings: new Map(),
    interrupted: false,
  };
  const t0 = performance.now();
  try {
    run.interrupted = await stepUntilDone(
      io,
      () => engine.stepImage(session.id),
      (s) => {
        run.steps.push(s);
        addTimings(run.timings, s.timings);
        if (!quiet) {
          io.err(
            `[${s.step}/${session.totalSteps}] fixed ${s.unmasked.length}, ${s.forwards} forwards, ${s.ms.toFixed(0)} ms + decode ${s.decodeMs.toFixed(0)} ms`,
          );
        }
      },
    );
  } finally {
    await engine.closeSession(session.id);
  }
  run.ms = performance.now() - t0;
  return run;
}

export async function generateImage(
  engine: EngineApi,
  model: LoadedModelInfo,
  args: ParsedArgs,
  io: CliIo,
): Promise<number> {
  const o = args.options;
  const maskgit = model.modelType === 'stepwise-maskgit';
  const misplaced = Object.keys(o).find((k) => (maskgit ? AR_ONLY : MASKGIT_ONLY).includes(k));
  if (misplaced) throw badInput(`--${misplaced} does not apply to ${model.modelType} image models`);
  if (typeof o.class !== 'string') {
    throw badInput('generate needs --class NAME for an image model', `classes: ${(model.classes ?? []).join(', ')}`);
  }
  if (typeof o.out !== 'string') throw badInput('generate needs --out FILE.png for an image model');
  const settings: ImageSettings = {
    className: o.class,
    steps: (o.steps as number | undefined) ?? 12,
    guidance: (o.cfg as number | undefined) ?? 3,
    temperature: (o.temperature as number | undefined) ?? 1,
    choiceTemperature: o['choice-temperature'] as number | undefined,
    topK: o['top-k'] as number | undefined,
    seed: (o.seed as number | undefined) ?? 1,
    ...(maskgit ? attentionChoice(o) : {}),
  };
  const run = await runImage(engine, model.handle, settings, io, false);
  if (run.interrupted) io.err(stoppedLine(run.steps.length));
  const last = run.steps.at(-1);
  if (!last) return INTERRUPTED; // stopped before the first step: nothing was made
  const scale = (o.scale as number | undefined) ?? 1;
  const { width, height, rgba } = last.image;
  await writeOutput(
    'out',
    o.out,
    encodePng(width * scale, height * scale, scale > 1 ? scaleRgba(width, height, rgba, scale) : rgba),
  );
  io.err(`wrote ${o.out} (${width * scale}×${height * scale}${run.interrupted ? ', unfinished' : ''})`);
  if (typeof o.trace === 'string') {
    const trace = {
      model: model.source,
      sampler: run.sampler,
      maskTokenId: run.maskTokenId,
      settings,
      steps: run.steps.map((s) => ({ step: s.step, tokens: [...s.tokens], unmasked: s.unmasked, ms: s.ms })),
    };
    await writeOutput('trace', o.trace, JSON.stringify(trace));
    io.err(`wrote ${o.trace}`);
  }
  // With sparse attention or token merging, the dense run at the same seed says what they cost and saved.
  let comparison = null;
  if (maskgit && !isDenseChoice(settings) && !run.interrupted) {
    io.err('running again with dense attention, to compare …');
    const dense = await runImage(
      engine,
      model.handle,
      { ...settings, attention: { kind: 'dense' }, mergeRatio: 0 },
      io,
      true,
    );
    const a = last.tokens;
    const b = dense.steps.at(-1)!.tokens;
    const differ = a.reduce((n, t, i) => n + (t === b[i] ? 0 : 1), 0);
    const deviation = await engine.imageAttentionDeviation(model.handle, dense.steps[0].tokens, settings);
    const ms = median(run.steps.map((s) => s.ms));
    const denseMs = median(dense.steps.map((s) => s.ms));
    comparison = {
      logitsRelL2: deviation.relL2,
      logitsMaxAbs: deviation.maxAbs,
      differentTokens: differ,
      differentShare: differ / a.length,
      msPerStep: ms,
      denseMsPerStep: denseMs,
      savedMsPerStep: denseMs - ms,
      speedup: denseMs / ms,
    };
    io.err(
      `vs dense: logits rel. L2 ${deviation.relL2.toExponential(2)} (after step 1), ${differ}/${a.length} tokens differ ` +
        `(${(100 * comparison.differentShare).toFixed(1)} %), ${ms.toFixed(0)} vs ${denseMs.toFixed(0)} ms/step (${comparison.speedup.toFixed(2)}×)`,
    );
  }
  const result = {
    model: model.source,
    sampler: run.sampler,
    class: settings.className,
    out: o.out,
    ...(run.interrupted ? { interrupted: true } : {}),
    tokens: [...last.tokens],
    steps: run.steps.length,
    msPerStep: median(run.steps.map((s) => s.ms)),
    decodeMs: median(run.steps.map((s) => s.decodeMs)),
    totalMs: run.ms,
    attention: comparison,
    kernels: [...run.timings.values()].sort((x, y) => y.ms - x.ms),
  };
  if (o.json) io.out(JSON.stringify(result));
  else io.out(`${o.out}: ${settings.className}, ${run.sampler}, ${run.steps.length} steps in ${run.ms.toFixed(0)} ms`);
  return run.interrupted ? INTERRUPTED : 0;
}
