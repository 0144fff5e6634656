// `generate --model M …` — text from an autoregressive model (one token per step) or from a masked
// diffusion model (tokens unmasked in parallel over denoising steps), streamed to stderr as it goes.

import type { DiffusionSettings, EngineApi, KernelTiming, LoadedModelInfo, TextStep } from '../../engine/api.ts';
import { badInput } from '../../shared/errors.ts';
import type { ParsedArgs } from '../args.ts';
import type { CliIo, Command } from '../io.ts';
import {
  ATTENTION_OPTIONS,
  attentionChoice,
  compareWithDense,
  comparisonLine,
  isDenseChoice,
  type AttentionComparison,
  type ComparedRun,
} from './attentionOptions.ts';
import { generateImage, IMAGE_OPTIONS } from './generateImage.ts';
import { addTimings } from './kernelTimings.ts';
import { INTERRUPTED, stepUntilDone, stoppedLine } from './steps.ts';
import { checkOutputs, writeOutput } from '../outputFiles.ts';

const AR_ONLY = ['max-tokens', 'top-k', 'top-p', 'repetition-penalty'];
/** Options only image generators take. */
const IMAGE_ONLY = ['class', 'cfg', 'out', 'scale', 'choice-temperature'];
const DIFFUSION_ONLY = [
  'sampler',
  'steps',
  'length',
  'block-length',
  'threshold',
  'remasking',
  'trace',
  'cache',
  'cache-refresh',
  ...Object.keys(ATTENTION_OPTIONS),
];

export const generateCommand: Command = {
  spec: {
    name: 'generate',
    summary:
      'generate text: one token per step (gpt2, llama) or by denoising steps (mdlm); or an image from a class (emoji-maskgit, emoji-ar)',
    options: {
      model: { type: 'string', description: 'shipped id, folder, URL or Hugging Face id' },
      prompt: { type: 'string', description: 'text to continue; in diffusion models [MASK] tokens are infilled' },
      seed: { type: 'int', min: 0, max: 2 ** 31 - 1, description: 'seed for the draws (default 1)' },
      temperature: {
        type: 'number',
        min: 0,
        max: 100,
        description: '0 = greedy (default 0.8 for AR, 0 for diffusion; image: > 0, default 1)',
      },
      json: { type: 'boolean', description: 'print one JSON document' },
      class: { type: 'string', description: 'image: the class to draw (an unknown name lists the valid ones)' },
      cfg: { type: 'number', description: 'image: classifier-free guidance ≥ 0 (default 3; 0 = conditional only)' },
      out: { type: 'string', description: 'image: write the result to this PNG file' },
      scale: { type: 'int', min: 1, max: 64, description: 'image: enlarge the PNG by this factor (default 1)' },
      'choice-temperature': {
        type: 'number',
        description: 'image, MaskGIT: Gumbel noise on confidences at the first step (default 4.5)',
      },
      'max-tokens': { type: 'int', min: 1, max: 100_000, description: 'AR: tokens to generate (default 64)' },
      'top-k': {
        type: 'int',
        min: 1,
        description: 'AR: keep the k most likely tokens (default 40; AR image: all codes)',
      },
      'top-p': { type: 'number', description: 'AR: nucleus mass in (0, 1] (default 0.95)' },
      'repetition-penalty': { type: 'number', description: 'AR: > 0, 1 = off (default 1.1)' },
      sampler: {
        type: 'string',
        choices: ['mdlm', 'llada', 'threshold'],
        description: 'diffusion sampler (default llada)',
      },
      steps: {
        type: 'int',
        min: 1,
        description: 'diffusion: denoising steps (default 64; not for threshold); MaskGIT image: steps (default 12)',
      },
      length: { type: 'int', min: 0, description: 'diffusion: masked tokens after the prompt (default 64)' },
      'block-length': {
        type: 'int',
        min: 1,
        description: 'diffusion: semi-autoregressive block length (llada, threshold)',
      },
      threshold: { type: 'number', description: 'threshold sampler: confidence in (0, 1] (default 0.9)' },
      remasking: {
        type: 'string',
        choices: ['low_confidence', 'random'],
        description: 'llada: what to commit (default low_confidence)',
      },
      trace: { type: 'string', description: 'diffusion, image: write every step as JSON to this file' },
      'cache-refresh': {
        type: 'int',
        min: 1,
        description: 'diffusion, --cache dkv: full refresh every N steps (default 4)',
      },
      cache: {
        type: 'string',
        choices: ['none', 'prefix', 'dual', 'dkv'],
        description: 'diffusion: caching across steps; also runs uncached to report speed-up and agreement',
      },
      ...ATTENTION_OPTIONS,
    },
  },
  async run(args, io) {
    const o = args.options;
    if (typeof o.model !== 'string') throw badInput('generate needs --model');
    checkOutputs(o, ['out', 'trace']);
    const engine = io.engine();
    const model = await engine.loadModel(o.model);
    for (const w of model.warnings) io.err(`warning: ${w}`);
    if (model.task === 'class-to-image') {
      const allowed = new Set(['model', 'json', ...IMAGE_OPTIONS, ...Object.keys(ATTENTION_OPTIONS)]);
      const misplaced = Object.keys(o).find((k) => !allowed.has(k));
      if (misplaced) throw badInput(`--${misplaced} does not apply to image models`, 'this is an image generator');
      return generateImage(engine, model, args, io);
    }
    const imageOption = Object.keys(o).find((k) => IMAGE_ONLY.includes(k));
    if (imageOption) throw badInput(`--${imageOption} applies to image models`, `${model.source} makes text`);
    const diffusion = model.modelType === 'mdlm';
    const misplaced = Object.keys(o).find((k) => (diffusion ? AR_ONLY : DIFFUSION_ONLY).includes(k));
    if (misplaced) {
      throw badInput(
        `--${misplaced} does not apply to ${model.modelType} models`,
        diffusion ? 'this is a masked-diffusion model' : 'this is an autoregressive model',
      );
    }
    return diffusion ? generateDiffusion(engine, model, args, io) : generateText(engine, model, args, io);
  },
};

async function generateText(engine: EngineApi, model: LoadedModelInfo, args: ParsedArgs, io: CliIo): Promise<number> {
  const o = args.options;
  const settings = {
    prompt: typeof o.prompt === 'string' ? o.prompt : '',
    maxTokens: (o['max-tokens'] as number | undefined) ?? 64,
    temperature: (o.temperature as number | undefined) ?? 0.8,
    topK: (o['top-k'] as number | undefined) ?? 40,
    topP: (o['top-p'] as number | undefined) ?? 0.95,
    repetitionPenalty: (o['repetition-penalty'] as number | undefined) ?? 1.1,
    seed: (o.seed as number | undefined) ?? 1,
  };
  const session = await engine.startText(model.handle, settings);
  for (const n of session.notices) io.err(`notice: ${n}`);
  const steps: TextStep[] = [];
  const timings = new Map<string, KernelTiming>();
  let text = '';
  const t0 = performance.now();
  let interrupted: boolean;
  try {
    interrupted = await stepUntilDone(
      io,
      () => engine.stepText(session.id),
      (s) => {
        steps.push(s);
        text = s.text;
        io.err(`[${s.step}] ${JSON.stringify(s.piece)} p=${s.p.toFixed(3)} ${s.ms.toFixed(0)} ms`);
        addTimings(timings, s.timings);
      },
    );
  } finally {
    await engine.closeSession(session.id);
  }
  const totalMs = performance.now() - t0;
  if (interrupted) io.err(stoppedLine(steps.length));
  if (o.json) {
    io.out(
      JSON.stringify({
        text,
        prompt: session.promptText,
        ...(interrupted ? { interrupted } : {}),
        tokens: steps.map((s) => s.token),
        promptTokens: session.promptTokens,
        notices: session.notices,
        steps: steps.map((s) => ({ token: s.token, p: s.p, top: s.top.map((c) => ({ token: c.token, p: c.p })) })),
        timings: {
          totalMs,
          tokensPerSecond: (steps.length / totalMs) * 1000,
          kernels: [...timings.values()].sort((a, b) => b.ms - a.ms),
        },
      }),
    );
  } else {
    io.out(session.promptText + text); // the prompt as used: cut from the left when it did not fit
  }
  return interrupted ? INTERRUPTED : 0;
}

interface DiffusionRun extends ComparedRun {
  steps: Array<{ step: number; tokens: number[]; unmasked: number[]; ms: number; forwards: number; rows: number }>;
  text: string;
  tokens: number[];
  ms: number;
  maskTokenId: number;
  start: number[]; // the starting sequence (prompt, then masks)
  timings: Map<string, KernelTiming>;
  interrupted: boolean; // Ctrl-C stopped it
}

async function runDiffusion(
  engine: EngineApi,
  handle: string,
  settings: DiffusionSettings,
  io: CliIo,
  quiet: boolean,
): Promise<DiffusionRun> {
  const session = await engine.startDiffusion(handle, settings);
  if (!quiet) for (const n of session.notices) io.err(`notice: ${n}`);
  const run: DiffusionRun = {
    steps: [],
    text: '',
    tokens: [],
    ms: 0,
    maskTokenId: session.maskTokenId,
    start: session.tokens,
    stepMs: [],
    timings: new Map(),
    interrupted: false,
  };
  const t0 = performance.now();
  try {
    run.interrupted = await stepUntilDone(
      io,
      () => engine.stepDiffusion(session.id),
      (s) => {
        run.steps.push({
          step: s.step,
          tokens: [...s.tokens],
          unmasked: s.unmasked,
          ms: s.ms,
          forwards: s.forwards,
          rows: s.rows,
        });
        run.text = s.pieces.join('');
        run.tokens = [...s.tokens];
        run.stepMs.push(s.ms);
        if (!quiet)
          io.err(`[${s.step}] unmasked ${s.unmasked.length}, computed ${s.rows} positions, ${s.ms.toFixed(0)} ms`);
        addTimings(run.timings, s.timings);
      },
    );
  } finally {
    await engine.closeSession(session.id);
  }
  run.ms = performance.now() - t0;
  return run;
}

async function generateDiffusion(
  engine: EngineApi,
  model: LoadedModelInfo,
  args: ParsedArgs,
  io: CliIo,
): Promise<number> {
  const o = args.options;
  const sampler = (o.sampler as DiffusionSettings['sampler'] | undefined) ?? 'llada';
  const cache = (o.cache as DiffusionSettings['cache'] | undefined) ?? 'none';
  const settings: DiffusionSettings = {
    sampler,
    prompt: typeof o.prompt === 'string' ? o.prompt : '',
    length: (o.length as number | undefined) ?? 64,
    steps: (o.steps as number | undefined) ?? 64,
    blockLength: o['block-length'] as number | undefined,
    threshold: o.threshold as number | undefined,
    remasking: o.remasking as 'low_confidence' | 'random' | undefined,
    temperature: (o.temperature as number | undefined) ?? 0,
    seed: (o.seed as number | undefined) ?? 1,
    cache,
    cacheRefresh: o['cache-refresh'] as number | undefined,
    ...attentionChoice(o),
  };
  const run = await runDiffusion(engine, model.handle, settings, io, false);
  if (run.interrupted) io.err(stoppedLine(run.steps.length));
  // With a step cache, the same run without it says what the cache bought and what it changed.
  let comparison = null;
  if (cache !== 'none' && !run.interrupted) {
    io.err('running again without the cache, to compare …');
    const plain = await runDiffusion(engine, model.handle, { ...settings, cache: 'none' }, io, true);
    // Only generated positions count: the prompt is the same in both runs by construction.
    const generated = run.start.flatMap((t, i) => (t === run.maskTokenId ? [i] : []));
    const same = generated.filter((i) => plain.tokens[i] === run.tokens[i]).length;
    comparison = {
      cache,
      speedup: plain.ms / run.ms,
      cachedMs: run.ms,
      uncachedMs: plain.ms,
      generatedTokens: generated.length,
      identicalTokens: same,
      identicalShare: same / generated.length,
    };
    io.err(
      `cache ${cache}: ${comparison.speedup.toFixed(2)}× faster (${run.ms.toFixed(0)} vs ${plain.ms.toFixed(0)} ms), ` +
        `${same}/${generated.length} generated tokens identical to the uncached run (${(100 * comparison.identicalShare).toFixed(1)} %)`,
    );
  }
  // With sparse attention or token merging, the dense run at the same seed says what they cost and saved.
  let attention: AttentionComparison | null = null;
  if (!isDenseChoice(settings) && !run.interrupted) {
    io.err('running again with dense attention, to compare …');
    const dense = await runDiffusion(
      engine,
      model.handle,
      { ...settings, attention: { kind: 'dense' }, mergeRatio: 0 },
      io,
      true,
    );
    const choice = { attention: settings.attention, mergeRatio: settings.mergeRatio };
    const deviation = {
      start: await engine.attentionDeviation(model.handle, run.start, choice),
      text: await engine.attentionDeviation(model.handle, dense.tokens, choice),
    };
    attention = compareWithDense(choice, run, dense, deviation);
    io.err(comparisonLine(attention));
  }
  if (typeof o.trace === 'string') {
    const trace = {
      model: model.source,
      sampler,
      maskTokenId: run.maskTokenId,
      steps: run.steps.map(({ forwards: _f, rows: _r, ...rest }) => rest),
    };
    await writeOutput('trace', o.trace, JSON.stringify(trace));
  }
  if (o.json) {
    io.out(
      JSON.stringify({
        text: run.text,
        ...(run.interrupted ? { interrupted: true } : {}),
        tokens: run.tokens,
        sampler,
        steps: run.steps.length,
        forwards: run.steps.reduce((n, s) => n + s.forwards, 0),
        cache: comparison,
        attention,
        timings: {
          totalMs: run.ms,
          stepsPerSecond: (run.steps.length / run.ms) * 1000,
          kernels: [...run.timings.values()].sort((a, b) => b.ms - a.ms),
        },
      }),
    );
  } else {
    io.out(run.text);
  }
  return run.interrupted ? INTERRUPTED : 0;
}
