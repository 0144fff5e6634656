// A masked-diffusion text session: the starting sequence (prompt + masks), the chosen sampler, and the
// text view of every step.

import type { Gpu } from '../gpu/gpu.ts';
import type { TextTokenizer } from '../formats/tokenizer.ts';
import type { DiffusionLm, DiffusionStep } from '../samplers/diffusion.ts';
import { LladaSampler } from '../samplers/llada.ts';
import { MdlmSampler } from '../samplers/mdlm.ts';
import { ThresholdSampler } from '../samplers/threshold.ts';
import { badInput } from '../shared/errors.ts';
import { profiled } from './profiled.ts';
import type { DiffusionSessionInfo, DiffusionSettings, DiffusionStepView } from './api.ts';

interface Sampler {
  readonly tokens: Int32Array;
  step(): Promise<DiffusionStep | null>;
  release(): void;
}

export class DiffusionSession {
  private constructor(
    readonly info: DiffusionSessionInfo,
    private readonly gpu: Gpu,
    private readonly tokenizer: TextTokenizer,
    private readonly sampler: Sampler,
  ) {}

  static start(
    id: string,
    handle: string,
    gpu: Gpu,
    model: DiffusionLm,
    tokenizer: TextTokenizer,
    s: DiffusionSettings,
  ): DiffusionSession {
    const prompt = s.prompt.length > 0 ? tokenizer.encode(s.prompt) : [];
    for (const t of prompt) {
      if (t >= model.vocabSize)
        throw badInput(`the tokenizer produced id ${t}, outside the model's vocabulary of ${model.vocabSize}`);
    }
    const sampler = makeSampler(gpu, model, prompt, s);
    const tokens = [...sampler.tokens];
    const info: DiffusionSessionInfo = {
      id,
      model: handle,
      settings: s,
      maskTokenId: model.maskTokenId,
      tokens,
      pieces: tokens.map((t) => tokenizer.decode([t])),
      notices: [],
    };
    return new DiffusionSession(info, gpu, tokenizer, sampler);
  }

  async step(): Promise<DiffusionStepView | null> {
    const { result: s, ms, timings } = await profiled(this.gpu, () => this.sampler.step());
    if (!s) return null;
    const decode = (t: number) => this.tokenizer.decode([t]);
    return { ...s, pieces: Array.from(s.tokens, decode), topPieces: Array.from(s.topIds, decode), ms, timings };
  }

  close(): void {
    this.sampler.release();
  }
}

function makeSampler(gpu: Gpu, model: DiffusionLm, prompt: number[], s: DiffusionSettings): Sampler {
  switch (s.sampler) {
    case 'mdlm':
      return new MdlmSampler(gpu, model, prompt, {
        steps: s.steps,
        length: s.length,
        seed: s.seed,
        cache: s.cache,
        cacheRefresh: s.cacheRefresh,
      });
    case 'llada':
      return new LladaSampler(gpu, model, prompt, {
        steps: s.steps,
        length: s.length,
        blockLength: s.blockLength,
        remasking: s.remasking ?? 'low_confidence',
        temperature: s.temperature,
        seed: s.seed,
        cache: s.cache,
        cacheRefresh: s.cacheRefresh,
      });
    case 'threshold':
      return new ThresholdSampler(gpu, model, prompt, {
        threshold: s.threshold ?? 0.9,
        length: s.length,
        blockLength: s.blockLength,
        temperature: s.temperature,
        seed: s.seed,
        cache: s.cache,
        cacheRefresh: s.cacheRefresh,
      });
    default:
      throw badInput(`unknown sampler "${String(s.sampler)}"`, 'use mdlm, llada or threshold');
  }
}
