// An autoregressive text session: the prompt (encoded, truncated to fit), the sampler, and the
// text view of every step (decoded pieces, candidates, timings).

import type { Gpu } from '../gpu/gpu.ts';
import type { TextTokenizer } from '../formats/tokenizer.ts';
import type { CausalLm } from '../models/causalLm.ts';
import { ArSampler } from '../samplers/ar.ts';
import { badInput } from '../shared/errors.ts';
import { profiled } from './profiled.ts';
import type { TextSessionInfo, TextSettings, TextStep } from './api.ts';

export class TextSession {
  private constructor(
    readonly info: TextSessionInfo,
    private readonly gpu: Gpu,
    private readonly tokenizer: TextTokenizer,
    private readonly sampler: ArSampler,
  ) {}

  static start(
    id: string,
    handle: string,
    gpu: Gpu,
    model: CausalLm,
    tokenizer: TextTokenizer,
    settings: TextSettings,
  ): TextSession {
    const notices: string[] = [];
    let maxTokens = settings.maxTokens;
    if (!(Number.isInteger(maxTokens) && maxTokens >= 1))
      throw badInput(`max tokens must be a whole number ≥ 1; got ${maxTokens}`);
    if (maxTokens > model.contextLength - 1) {
      maxTokens = model.contextLength - 1;
      notices.push(`max tokens lowered to ${maxTokens}: the model's context is ${model.contextLength} tokens`);
    }
    let prompt = settings.prompt.length > 0 ? tokenizer.encode(settings.prompt) : [];
    if (prompt.length === 0) {
      const eos = tokenizer.specialIds.eos ?? model.eosTokenIds[0];
      if (eos === undefined) throw badInput('the prompt is empty and the model has no end-of-text token to start from');
      prompt = [eos];
      notices.push('empty prompt: starting from the end-of-text token');
    }
    const room = model.contextLength - maxTokens;
    let promptText = settings.prompt;
    if (prompt.length > room) {
      notices.push(
        `prompt truncated from the left to its last ${room} of ${prompt.length} tokens, to fit the ${model.contextLength}-token context`,
      );
      prompt = prompt.slice(prompt.length - room);
      promptText = tokenizer.decode(prompt);
    }
    const sampler = ArSampler.start(gpu, model, prompt, { ...settings, maxTokens });
    const info: TextSessionInfo = {
      id,
      model: handle,
      settings: { ...settings, maxTokens },
      promptTokens: prompt,
      promptPieces: prompt.map((t) => tokenizer.decode([t])),
      promptText,
      notices,
      stepsBefore: 0,
    };
    return new TextSession(info, gpu, tokenizer, sampler);
  }

  async step(): Promise<TextStep | null> {
    const { result: s, ms, timings } = await profiled(this.gpu, () => this.sampler.step());
    if (!s) return null;
    const generated = this.sampler.tokens.slice(this.sampler.promptLength);
    return {
      step: s.step,
      token: s.token,
      piece: this.tokenizer.decode([s.token]),
      p: s.p,
      entropy: s.entropy,
      top: s.top.map((c) => ({ ...c, piece: this.tokenizer.decode([c.token]) })),
      text: this.tokenizer.decode(generated),
      stop: s.stop,
      ms,
      timings,
    };
  }

  branch(id: string, atStep: number, settings: TextSettings): TextSession {
    if (settings.prompt !== this.info.settings.prompt) {
      throw badInput('a branch keeps the prompt; start a new run to change it');
    }
    const maxTokens = Math.min(settings.maxTokens, this.info.settings.maxTokens);
    const sampler = this.sampler.branch(atStep, { ...settings, maxTokens });
    const info: TextSessionInfo = {
      ...this.info,
      id,
      settings: { ...settings, maxTokens },
      notices: [],
      stepsBefore: atStep,
    };
    return new TextSession(info, this.gpu, this.tokenizer, sampler);
  }

  /** Tokens generated so far (inherited ones included). */
  get generated(): number[] {
    return this.sampler.tokens.slice(this.sampler.promptLength);
  }

  close(): void {
    this.sampler.release();
  }
}
