// What the semi-autoregressive samplers (llada.ts, threshold.ts) share: the sequence and its blocks,
// the seeded draws, the step-cached predictor, and the snapshot each step returns. A subclass
// decides how many proposals to commit per step and when a block is finished.

import type { Gpu } from '../gpu/gpu.ts';
import { badInput } from '../shared/errors.ts';
import { Rng } from '../shared/rng.ts';
import { blockRange, makeBlocks, type Blocks } from './blocks.ts';
import {
  confidenceOf,
  initialTokens,
  maskedPositions,
  topPerPosition,
  type DiffusionLm,
  type DiffusionStep,
} from './diffusion.ts';
import { Predictor, type Prediction, type StepCacheMode } from './stepCache.ts';

export interface BlockSamplerSettings {
  length: number; // masks appended after the prompt
  blockLength?: number; // default: one block over the whole generation
  temperature: number; // Gumbel noise on the proposals; 0 = argmax
  seed: number;
  cache?: StepCacheMode; // caching across steps (default 'none')
  cacheRefresh?: number; // dkv: recompute everything every this many steps (default 4)
}

export abstract class BlockSampler {
  readonly tokens: Int32Array;
  readonly blocks: Blocks;
  protected block = 0; // the block the next step works on
  protected n = 0; // steps taken
  protected readonly rng: Rng;
  private readonly predictor: Predictor;
  private justDecoded: number[] = [];

  constructor(
    gpu: Gpu,
    protected readonly model: DiffusionLm,
    prompt: number[],
    settings: BlockSamplerSettings,
  ) {
    if (!(settings.temperature >= 0)) throw badInput(`temperature must be ≥ 0; got ${settings.temperature}`);
    this.tokens = initialTokens(prompt, settings.length, model);
    this.blocks = makeBlocks(this.tokens, model.maskTokenId, settings.blockLength);
    this.rng = new Rng(settings.seed);
    this.predictor = new Predictor(gpu, model, settings.cache ?? 'none', settings.cacheRefresh);
  }

  get done(): boolean {
    return this.block >= this.blocks.count;
  }

  /** Which block the next step works on (for views). */
  get currentBlock(): number {
    return this.block;
  }

  protected masksIn(k: number): number[] {
    const [a, b] = blockRange(this.blocks, k);
    return maskedPositions(this.tokens, this.model.maskTokenId).filter((j) => j >= a && j < b);
  }

  /** The model's prediction for every position (σ = 0: these samplers condition on the masks alone). */
  protected predict(blockChanged: boolean): Promise<Prediction> {
    return this.predictor.predict(this.tokens, 0, {
      block: blockRange(this.blocks, this.block),
      blockChanged,
      masked: maskedPositions(this.tokens, this.model.maskTokenId),
      justDecoded: this.justDecoded,
    });
  }

  /** Commits proposals and returns the step's snapshot. */
  protected commit(unmasked: number[], x0: Map<number, number>, { p, rows }: Prediction): DiffusionStep {
    const V = this.model.vocabSize;
    for (const j of unmasked) this.tokens[j] = x0.get(j)!;
    this.n++;
    this.justDecoded = unmasked;
    this.advance();
    const top = topPerPosition(p, this.tokens.length, V);
    return {
      step: this.n,
      tokens: this.tokens.slice(),
      unmasked,
      confidence: confidenceOf(this.tokens, p, V, this.model.maskTokenId),
      topIds: top.ids,
      topProbs: top.probs,
      forwards: 1,
      rows,
      done: this.done,
    };
  }

  /** Moves `block` on once the current one is finished (called after every commit). */
  protected abstract advance(): void;

  abstract step(): Promise<DiffusionStep | null>;

  release(): void {
    this.predictor.release();
  }
}
