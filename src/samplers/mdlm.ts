// MDLM's ancestral sampler with p0 caching (`ddpm_cache`, Sahoo et al. 2024, diffusion.py
// `_ddpm_caching_update`), as a step iterator. Over S steps t goes from 1 to ~0; at each step every
// masked position stays masked with probability s/t, otherwise takes a token drawn from the model's
// prediction p0 (SUBS: never [MASK]); unmasked positions never change. When a step unmasks nothing
// and the model ignores σ, the next step reuses p0 instead of running the model again.

import type { Gpu } from '../gpu/gpu.ts';
import { badInput } from '../shared/errors.ts';
import { Rng } from '../shared/rng.ts';
import {
  confidenceOf,
  drawFrom,
  initialTokens,
  maskedPositions,
  sigmaOf,
  topPerPosition,
  type DiffusionLm,
  type DiffusionStep,
} from './diffusion.ts';
import { Predictor, type StepCacheMode } from './stepCache.ts';

export interface MdlmSamplerSettings {
  steps: number; // denoising steps S
  length: number; // masks appended after the prompt
  seed: number;
  cache?: StepCacheMode; // 'none' (default) or 'dkv'; prefix caches need blocks
  cacheRefresh?: number; // dkv: recompute everything every this many steps (default 4)
}

const T_MIN = 1e-5; // the schedule stops just above t = 0, as MDLM's sampler does

export class MdlmSampler {
  readonly tokens: Int32Array;
  private i = 0;
  private cached: Float64Array | null = null;
  private readonly rng: Rng;
  private readonly predictor: Predictor;
  private justDecoded: number[] = [];

  constructor(
    gpu: Gpu,
    private readonly model: DiffusionLm,
    prompt: number[],
    private readonly settings: MdlmSamplerSettings,
  ) {
    this.tokens = initialTokens(prompt, settings.length, model);
    const masked = maskedPositions(this.tokens, model.maskTokenId).length;
    if (!(Number.isInteger(settings.steps) && settings.steps >= 1))
      throw badInput(`steps must be a whole number ≥ 1; got ${settings.steps}`);
    if (settings.steps > masked)
      throw badInput(`${settings.steps} steps for ${masked} masked tokens: use at most one step per token`);
    this.rng = new Rng(settings.seed);
    this.predictor = new Predictor(gpu, model, settings.cache ?? 'none', settings.cacheRefresh);
    if (this.predictor.mode === 'prefix' || this.predictor.mode === 'dual') {
      throw badInput(
        `the ${this.predictor.mode} cache needs semi-autoregressive blocks`,
        'use the llada or threshold sampler, or --cache dkv',
      );
    }
  }

  private async predict(sigma: number): Promise<{ p: Float64Array; rows: number }> {
    const ctx = {
      block: null,
      blockChanged: false,
      masked: maskedPositions(this.tokens, this.model.maskTokenId),
      justDecoded: this.justDecoded,
    };
    return this.predictor.predict(this.tokens, sigma, ctx);
  }

  release(): void {
    this.predictor.release();
  }

  get done(): boolean {
    return this.i >= this.settings.steps;
  }

  async step(): Promise<DiffusionStep | null> {
    if (this.done) return null;
    const { model } = this;
    const V = model.vocabSize;
    const mask = model.maskTokenId;
    const S = this.settings.steps;
    const dt = (1 - T_MIN) / S;
    // 1. Times of this step: from t down to s.
    const t = 1 - this.i * dt;
    const s = t - dt;
    this.i++;
    // 2. p0: the cached prediction if nothing changed since it was made, else a fresh one.
    let forwards = 0;
    let rows = 0;
    let p = this.cached;
    if (!p) {
      const r = await this.predict(sigmaOf(t));
      p = r.p;
      rows += r.rows;
      forwards++;
    }
    // 3. Each masked position stays masked with probability s/t, else takes a token from p0.
    const unmasked: number[] = [];
    for (const j of maskedPositions(this.tokens, mask)) {
      if (this.rng.next() < s / t) continue;
      this.tokens[j] = drawFrom(p, j * V, V, this.rng.next());
      unmasked.push(j);
    }
    // 4. Keep p0 for the next step only if the input did not change and σ does not matter.
    this.cached = unmasked.length === 0 && !model.timeConditioned ? p : null;
    // 5. After the last step, remaining masks take the model's most likely token (noise removal).
    if (this.done) {
      const rest = maskedPositions(this.tokens, mask);
      if (rest.length > 0) {
        this.justDecoded = unmasked;
        const r = await this.predict(sigmaOf(s));
        p = r.p;
        rows += r.rows;
        forwards++;
        for (const j of rest) {
          let best = 0;
          for (let v = 1; v < V; v++) if (p[j * V + v] > p[j * V + best]) best = v;
          this.tokens[j] = best;
          unmasked.push(j);
        }
      }
    }
    this.justDecoded = unmasked;
    const top = topPerPosition(p, this.tokens.length, V);
    return {
      step: this.i,
      tokens: this.tokens.slice(),
      unmasked: unmasked.sort((a, b) => a - b),
      confidence: confidenceOf(this.tokens, p, V, mask),
      topIds: top.ids,
      topProbs: top.probs,
      forwards,
      rows,
      done: this.done,
    };
  }
}
