// Autoregressive decoding as a step iterator: each `step()` runs the model on the pending tokens
// (the whole prompt first, then the last chosen token against the KV cache), applies the sampling
// rules to the last position's logits and commits one token.

import type { Gpu } from '../gpu/gpu.ts';
import type { CausalLm } from '../models/causalLm.ts';
import type { KvCache } from '../models/kvCache.ts';
import { badInput } from '../shared/errors.ts';
import { Rng } from '../shared/rng.ts';
import { readFinite } from './finite.ts';
import {
  entropy,
  penalize,
  sampleToken,
  softmax,
  topIndices,
  validateSampling,
  type SamplingSettings,
} from './logits.ts';

export interface ArSettings extends SamplingSettings {
  maxTokens: number; // tokens to generate at most
  seed: number; // seeds the draws; the same seed gives the same text on the same adapter
}

export interface Candidate {
  token: number;
  p: number; // the model's probability (softmax at temperature 1)
}

export interface ArStep {
  step: number; // 1-based: the step-th generated token
  token: number; // the committed token
  p: number; // the model's probability of it
  entropy: number; // of the model's distribution at this step, in nats
  top: Candidate[]; // the model's 10 most likely tokens at this step
  stop: 'eos' | 'limit' | null; // why generation ends after this step, if it does
}

export const TOP_CANDIDATES = 10;

export class ArSampler {
  readonly tokens: number[]; // prompt + generated so far
  private pending: Int32Array; // tokens not yet run through the model
  private rng: Rng;
  private finished = false;

  constructor(
    private readonly gpu: Gpu,
    private readonly model: CausalLm,
    readonly promptLength: number,
    tokens: number[],
    private readonly settings: ArSettings,
    private readonly cache: KvCache,
  ) {
    validateSampling(settings);
    if (!(Number.isInteger(settings.maxTokens) && settings.maxTokens >= 1)) {
      throw badInput(`the number of tokens to generate must be ≥ 1; got ${settings.maxTokens}`);
    }
    if (tokens.length === 0) throw badInput('the prompt is empty (start from <|endoftext|> instead)');
    this.tokens = [...tokens];
    this.pending = Int32Array.from(tokens.slice(cache.length));
    this.rng = new Rng(settings.seed);
  }

  /** Starts from a prompt with an empty cache sized for prompt + maxTokens. */
  static start(gpu: Gpu, model: CausalLm, prompt: number[], settings: ArSettings): ArSampler {
    const cache = model.newCache(prompt.length + settings.maxTokens);
    return new ArSampler(gpu, model, prompt.length, prompt, settings, cache);
  }

  get generated(): number {
    return this.tokens.length - this.promptLength;
  }

  get done(): boolean {
    return this.finished;
  }

  async step(): Promise<ArStep | null> {
    if (this.finished) return null;
    // 1. Run the pending tokens; only the last position's logits are needed.
    const logitsT = this.model.forward(this.pending, this.cache, { lastOnly: true }); // [1, V]
    const logits = await readFinite(this.gpu, logitsT, `step ${this.generated + 1}`).finally(() => logitsT.release()); // [V]
    // 2. What the model weighed: its own distribution, before any sampling rule.
    const p = softmax(logits);
    const top = topIndices(p, TOP_CANDIDATES).map((token) => ({ token, p: p[token] }));
    // 3. Apply the repetition penalty over everything seen, then temperature / top-k / top-p, and draw.
    const processed = penalize(logits, this.tokens, this.settings.repetitionPenalty);
    const token = sampleToken(processed, this.settings, this.rng);
    // 4. Commit it; it is the next pending input.
    this.tokens.push(token);
    this.pending = Int32Array.of(token);
    const stop = this.model.eosTokenIds.includes(token)
      ? 'eos'
      : this.generated >= this.settings.maxTokens || this.tokens.length >= this.cache.capacity
        ? 'limit'
        : null;
    this.finished = stop !== null;
    return { step: this.generated, token, p: p[token], entropy: entropy(p), top, stop };
  }

  /** A new sampler that keeps the prompt and the first `k` generated tokens, re-uses the cached keys
   *  and values before them, and continues with other settings (e.g. another seed). */
  branch(k: number, settings: ArSettings): ArSampler {
    if (!(Number.isInteger(k) && k >= 0 && k <= this.generated)) {
      throw badInput(`cannot branch at step ${k}: there are ${this.generated} generated tokens`);
    }
    const keep = this.tokens.slice(0, this.promptLength + k);
    // The cache holds every position but the last committed token; keep what precedes the kept tail.
    const cache = this.cache.fork(Math.min(this.cache.length, keep.length - 1), this.promptLength + settings.maxTokens);
    return new ArSampler(this.gpu, this.model, this.promptLength, keep, settings, cache);
  }

  release(): void {
    this.cache.release();
  }
}
