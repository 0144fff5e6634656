// A masked-diffusion text session: the starting sequence (prompt + masks), the chosen sampler, and the
// text view of every step. An attention setting or token merging (models/attentionMode.ts) applies to
// every forward the sampler makes; `attentionDeviation` measures one forward against dense attention.

import type { Gpu } from '../gpu/gpu.ts';
import type { TextTokenizer } from '../formats/tokenizer.ts';
import { attentionSpan, DENSE, describeAttention, isDense, type ModelAttention } from '../models/attentionMode.ts';
import type { Mdlm, MdlmForwardOptions } from '../models/mdlm.ts';
import type { DiffusionLm, DiffusionStep } from '../samplers/diffusion.ts';
import { LladaSampler } from '../samplers/llada.ts';
import { MdlmSampler } from '../samplers/mdlm.ts';
import { ThresholdSampler } from '../samplers/threshold.ts';
import { badInput } from '../shared/errors.ts';
import { logitsDeviation } from './logitsDeviation.ts';
import { profiled } from './profiled.ts';
import type { AttentionDeviation, DiffusionSessionInfo, DiffusionSettings, DiffusionStepView } from './api.ts';

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
    model: Mdlm,
    tokenizer: TextTokenizer,
    s: DiffusionSettings,
  ): DiffusionSession {
    const prompt = s.prompt.length > 0 ? tokenizer.encode(s.prompt) : [];
    for (const t of prompt) {
      if (t >= model.vocabSize)
        throw badInput(`the tokenizer produced id ${t}, outside the model's vocabulary of ${model.vocabSize}`);
    }
    const attention: ModelAttention = { attention: s.attention, mergeRatio: s.mergeRatio };
    if (!isDense(attention) && (s.cache ?? 'none') !== 'none') {
      throw badInput(
        `the ${s.cache} cache runs with dense attention only; got ${describeAttention(attention)}`,
        'use no cache, or dense attention without token merging',
      );
    }
    const sampler = makeSampler(gpu, withAttention(model, attention), prompt, s);
    const tokens = [...sampler.tokens];
    const notices: string[] = [];
    // Checked here, before the first step, so that a bad setting fails the start.
    const padded = model.paddedLength(tokens.length, attention);
    if (padded > tokens.length) {
      notices.push(
        `${describeAttention(attention)} needs a multiple of ${attentionSpan(s.attention ?? DENSE)} tokens: the model runs on the ${tokens.length} tokens of the sequence and ${padded - tokens.length} more [MASK], whose predictions are dropped`,
      );
    }
    const info: DiffusionSessionInfo = {
      id,
      model: handle,
      settings: s,
      maskTokenId: model.maskTokenId,
      tokens,
      pieces: tokens.map((t) => tokenizer.decode([t])),
      notices,
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

/** The model as the samplers see it: every forward with the session's attention setting. */
function withAttention(model: Mdlm, attention: ModelAttention): DiffusionLm {
  if (isDense(attention)) return model;
  return {
    vocabSize: model.vocabSize,
    contextLength: model.contextLength,
    maskTokenId: model.maskTokenId,
    timeConditioned: model.timeConditioned,
    // Caches come from model.newCache below (and the model rejects them with this setting).
    forward: (ids, sigma, options) => model.forward(ids, sigma, { ...(options as MdlmForwardOptions), ...attention }),
    newCache: (length) => model.newCache(length),
  };
}

/** Logits of one forward over `tokens` at σ = 0 with the setting, against dense attention. */
export async function attentionDeviation(
  gpu: Gpu,
  model: Mdlm,
  tokens: number[],
  attention: ModelAttention,
): Promise<AttentionDeviation> {
  const ids = Int32Array.from(tokens);
  const paddedTo = model.paddedLength(ids.length, attention);
  const { relL2, maxAbs } = await logitsDeviation(gpu, (a) => model.forward(ids, 0, a), attention); // [T, V] each
  return { relL2, maxAbs, tokens: ids.length, paddedTo };
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
