// An image-token session: a generator (MaskGIT or autoregressive) over the token grid of an RVQ
// tokenizer, the sampler's steps, and every step's tokens decoded to pixels by the tokenizer.

import type { Gpu } from '../gpu/gpu.ts';
import type { ModelAttention } from '../models/attentionMode.ts';
import type { ArImage } from '../models/arImage.ts';
import type { Maskgit } from '../models/maskgit.ts';
import type { AnyModel } from '../models/registry.ts';
import { toRgba, type RvqDecoder } from '../models/rvqDecoder.ts';
import type { StepwiseSection } from '../formats/config.ts';
import { ArImageSampler } from '../samplers/arImage.ts';
import type { ImageTokenStep, TokenGrid } from '../samplers/imageTokens.ts';
import { MaskgitSampler } from '../samplers/maskgit.ts';
import { badInput } from '../shared/errors.ts';
import type {
  AttentionDeviation,
  DecodedImage,
  ImageSamplerName,
  ImageSessionInfo,
  ImageSettings,
  ImageStepView,
} from './api.ts';
import { logitsDeviation } from './logitsDeviation.ts';
import { profiled } from './profiled.ts';

/** MaskGIT's default Gumbel noise on confidences (choice_temperature, algorithms.md §4.2). */
export const CHOICE_TEMPERATURE_DEFAULT = 4.5;

export type ImageGenerator =
  { kind: 'maskgit'; lm: Maskgit; classes: string[] } | { kind: 'ar'; lm: ArImage; classes: string[] };

/** The generator side of a loaded model: MaskGIT or autoregressive over image tokens. */
export function imageGenerator(model: AnyModel, stepwise: StepwiseSection, source: string): ImageGenerator {
  const names = (n: number) => stepwise.classNames ?? Array.from({ length: n }, (_, i) => `class-${i}`);
  if (model.kind === 'image-maskgit')
    return { kind: 'maskgit', lm: model.lm, classes: names(model.lm.config.numClasses) };
  if (model.kind === 'image-ar') return { kind: 'ar', lm: model.lm, classes: names(model.lm.config.numClasses) };
  throw badInput(
    `${source} is not an image generator`,
    'pick emoji-maskgit or emoji-ar (stepwise.task "class-to-image")',
  );
}

/** Where to look for a generator's tokenizer: beside the generator (a folder or URL), then by name. */
export function tokenizerCandidates(generatorSource: string, name: string): string[] {
  const out: string[] = [];
  const slash = generatorSource.replace(/\/+$/, '').lastIndexOf('/');
  if (slash >= 0) out.push(`${generatorSource.slice(0, slash)}/${name}`);
  if (!out.includes(name)) out.push(name);
  return out;
}

interface Sampler {
  step(): Promise<ImageTokenStep | null>;
  release?(): void;
}

/** The grid of a tokenizer, checked against what the generator was trained on. */
export function tokenGrid(decoder: RvqDecoder, generator: ImageGenerator, names: [string, string]): TokenGrid {
  const c = decoder.config;
  const grid = { height: c.latentSize, width: c.latentSize, depths: c.numQuantizers, codebookSize: c.codebookSize };
  const g = generator.lm.config;
  if (
    g.nPositions !== grid.height * grid.width ||
    g.numQuantizers !== grid.depths ||
    g.codebookSize !== grid.codebookSize
  ) {
    throw badInput(
      `${names[0]} was trained on ${g.nPositions} positions × ${g.numQuantizers} depths of ${g.codebookSize} codes, but ${names[1]} makes ${grid.height}×${grid.width} × ${grid.depths} of ${grid.codebookSize}`,
      'pair the generator with the tokenizer named in its config (stepwise.tokenizer_model)',
    );
  }
  return grid;
}

/** The class id of a class name; an unknown name lists the valid ones. */
export function classIdOf(name: string, classes: string[]): number {
  const id = classes.indexOf(name);
  if (id < 0) {
    throw badInput(`unknown class "${name}"`, `valid classes: ${classes.join(', ')}`);
  }
  return id;
}

export class ImageSession {
  private constructor(
    readonly info: ImageSessionInfo,
    private readonly gpu: Gpu,
    private readonly decoder: RvqDecoder,
    private readonly sampler: Sampler,
  ) {}

  static start(
    id: string,
    handles: { model: string; tokenizer: string },
    gpu: Gpu,
    generator: ImageGenerator,
    decoder: RvqDecoder,
    grid: TokenGrid,
    s: ImageSettings,
  ): ImageSession {
    const classId = classIdOf(s.className, generator.classes);
    const common = { classId, guidance: s.guidance, temperature: s.temperature, seed: s.seed };
    const L = grid.height * grid.width * grid.depths;
    let sampler: Sampler;
    let schedule: number[];
    let samplerName: ImageSamplerName;
    if (generator.kind === 'maskgit') {
      const attention: ModelAttention = { attention: s.attention, mergeRatio: s.mergeRatio };
      const m = new MaskgitSampler(
        gpu,
        generator.lm,
        grid,
        { ...common, steps: s.steps, choiceTemperature: s.choiceTemperature ?? CHOICE_TEMPERATURE_DEFAULT },
        generator.classes.length,
        attention,
      );
      sampler = m;
      schedule = m.schedule;
      samplerName = 'maskgit';
    } else {
      if (s.attention && s.attention.kind !== 'dense') {
        throw badInput(
          'attention settings apply to the bidirectional MaskGIT generator, not to the autoregressive one',
        );
      }
      sampler = new ArImageSampler(
        gpu,
        generator.lm,
        grid,
        { ...common, topK: s.topK ?? grid.codebookSize },
        generator.classes.length,
      );
      schedule = Array.from({ length: grid.height * grid.width }, () => grid.depths);
      samplerName = 'ar';
    }
    const info: ImageSessionInfo = {
      id,
      model: handles.model,
      sampler: samplerName,
      settings: s,
      classes: generator.classes,
      grid,
      maskTokenId: grid.codebookSize,
      tokenizer: handles.tokenizer,
      totalSteps: schedule.length,
      schedule,
      notices: L === schedule.reduce((a, b) => a + b, 0) ? [] : ['the schedule does not cover every token'],
    };
    return new ImageSession(info, gpu, decoder, sampler);
  }

  async step(): Promise<ImageStepView | null> {
    const { result: s, ms, timings } = await profiled(this.gpu, () => this.sampler.step());
    if (!s) return null;
    const t0 = performance.now();
    const image = await decodeTokens(this.gpu, this.decoder, s.tokens, this.info.grid.depths);
    return { ...s, image, ms, decodeMs: performance.now() - t0, timings };
  }

  close(): void {
    this.sampler.release?.();
  }
}

/** Tokens [P·D] in the sequence layout → RGBA pixels, decoded with the first `depths` depths. */
export async function decodeTokens(
  gpu: Gpu,
  decoder: RvqDecoder,
  tokens: Int32Array,
  depths: number,
): Promise<DecodedImage> {
  const rgb = decoder.decode(tokens, depths); // [3, S, S]
  const rgba = await toRgba(gpu, rgb);
  rgb.release();
  const side = decoder.config.imageSize;
  return { width: side, height: side, depths, rgba };
}

/** MaskGIT's logits for `tokens` under a class with an attention setting, against dense attention. */
export async function maskgitDeviation(
  gpu: Gpu,
  model: Maskgit,
  tokens: Int32Array,
  classId: number,
  attention: ModelAttention,
): Promise<AttentionDeviation> {
  const { relL2, maxAbs } = await logitsDeviation(gpu, (a) => model.forward(tokens, classId, a), attention); // [L, K] each
  return { relL2, maxAbs, tokens: tokens.length, paddedTo: tokens.length };
}
