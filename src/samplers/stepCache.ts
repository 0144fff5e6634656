// Caching across denoising steps. A masked diffusion LM attends bidirectionally, so in principle every
// position's keys and values change whenever any token does; in practice most change little from one
// step to the next, and these training-free approximations re-use them:
// - 'prefix' (Fast-dLLM, Wu et al. 2025): at the start of each semi-autoregressive block run the whole
//   sequence and cache every position; within the block recompute only the block and what follows it.
// - 'dual' (Fast-dLLM's DualCache): as 'prefix', but recompute only the current block; the suffix's
//   keys and values are cached too.
// - 'dkv' (dKV-Cache, Ma et al. 2025): recompute only the still-masked positions and those decoded at
//   the previous step (a token's keys and values are cached one step after it is decoded, when they
//   have settled), refreshing everything every `refreshEvery` steps.
// 'none' runs the whole sequence every step. Positions not recomputed keep their last prediction.

import type { Gpu } from '../gpu/gpu.ts';
import { badInput } from '../shared/errors.ts';
import { readFinite } from './finite.ts';
import { subsProbs, type DiffusionCache, type DiffusionLm } from './diffusion.ts';

export type StepCacheMode = 'none' | 'prefix' | 'dual' | 'dkv';

/** dKV-Cache's `cache_reloading_step`: a full refresh every this many steps (its scripts use 4, 8, 16). */
export const DKV_REFRESH_DEFAULT = 4;

export interface StepContext {
  block: [number, number] | null; // the current block [start, end), null for samplers without blocks
  blockChanged: boolean; // the first step of a block
  masked: number[]; // positions still masked
  justDecoded: number[]; // positions unmasked at the previous step
}

export interface Prediction {
  p: Float64Array; // SUBS probabilities [T, V] (rows not recomputed: from their last prediction)
  rows: number; // positions computed this time
}

export class Predictor {
  private cache: DiffusionCache | null = null;
  private last: Float64Array | null = null;
  private calls = 0;

  constructor(
    private readonly gpu: Gpu,
    private readonly model: DiffusionLm,
    readonly mode: StepCacheMode,
    private readonly refreshEvery = DKV_REFRESH_DEFAULT,
  ) {
    if (!['none', 'prefix', 'dual', 'dkv'].includes(mode))
      throw badInput(`unknown cache "${mode}"`, 'use none, prefix, dual or dkv');
    if (!(Number.isInteger(refreshEvery) && refreshEvery >= 1))
      throw badInput(`the cache refresh interval must be ≥ 1; got ${refreshEvery}`);
  }

  /** Which positions to recompute, or null for all of them. */
  private rowsFor(T: number, ctx: StepContext): number[] | null {
    if (this.mode === 'none' || this.last === null) return null;
    if (this.mode === 'dkv') {
      if (this.calls % this.refreshEvery === 0) return null;
      return [...new Set([...ctx.masked, ...ctx.justDecoded])].sort((a, b) => a - b);
    }
    if (!ctx.block)
      throw badInput(
        `the ${this.mode} cache needs semi-autoregressive blocks`,
        'use the llada or threshold sampler, or --cache dkv',
      );
    if (ctx.blockChanged) return null;
    const [start, end] = this.mode === 'prefix' ? [ctx.block[0], T] : ctx.block;
    return Array.from({ length: end - start }, (_, i) => start + i);
  }

  async predict(tokens: Int32Array, sigma: number, ctx: StepContext): Promise<Prediction> {
    const { model, gpu } = this;
    const T = tokens.length;
    const V = model.vocabSize;
    const rows = this.rowsFor(T, ctx);
    this.calls++;
    if (this.mode !== 'none') this.cache ??= model.newCache(T);
    if (rows !== null && rows.length === 0) return { p: this.last!, rows: 0 };
    const logitsT = model.forward(
      tokens,
      sigma,
      rows ? { cache: this.cache!, rows } : { cache: this.cache ?? undefined },
    ); // [R, V]
    const logits = await readFinite(gpu, logitsT, `forward pass ${this.calls}`).finally(() => logitsT.release());
    const p = subsProbs(logits, rows ? rows.length : T, V, model.maskTokenId);
    if (!rows) {
      this.last = p;
      return { p, rows: T };
    }
    rows.forEach((j, r) => this.last!.set(p.subarray(r * V, (r + 1) * V), j * V));
    return { p: this.last!, rows: rows.length };
  }

  release(): void {
    this.cache?.release();
    this.cache = null;
  }
}
