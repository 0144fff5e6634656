// LLaDA's sampler (Nie et al. 2025, ML-GSAI/LLaDA generate.py) as a step iterator: semi-autoregressive
// blocks; within a block, a fixed number of steps; at each step the model proposes a token for every
// masked position, and the k most confident proposals in the current block are committed (low-
// confidence remasking: the rest stay masked), or k chosen at random ('random' remasking).
// k follows LLaDA's `get_num_transfer_tokens`: the block's masks spread evenly over its steps, the
// remainder going to the first steps.

import type { Gpu } from '../gpu/gpu.ts';
import { badInput } from '../shared/errors.ts';
import { Rng } from '../shared/rng.ts';
import { blockRange, makeBlocks, mostConfident, propose, type Blocks } from './blocks.ts';
import {
  confidenceOf,
  initialTokens,
  maskedPositions,
  topPerPosition,
  type DiffusionLm,
  type DiffusionStep,
} from './diffusion.ts';
import { Predictor, type StepCacheMode } from './stepCache.ts';

export interface LladaSettings {
  steps: number; // total steps, split evenly over the blocks
  length: number; // masks appended after the prompt
  blockLength?: number; // default: one block over the whole generation
  remasking: 'low_confidence' | 'random';
  temperature: number; // Gumbel noise on the proposals; 0 = argmax
  seed: number;
  cache?: StepCacheMode; // caching across steps (default 'none')
}

/** Tokens to commit at each of `steps` steps for `masks` masked positions. */
export function transferSchedule(masks: number, steps: number): number[] {
  const base = Math.floor(masks / steps);
  const extra = masks % steps;
  return Array.from({ length: steps }, (_, i) => base + (i < extra ? 1 : 0));
}

export class LladaSampler {
  readonly tokens: Int32Array;
  readonly blocks: Blocks;
  readonly stepsPerBlock: number;
  private block = 0;
  private inBlock = 0; // steps taken in the current block
  private schedule: number[] = [];
  private n = 0;
  private readonly rng: Rng;
  private readonly predictor: Predictor;
  private justDecoded: number[] = [];

  constructor(
    gpu: Gpu,
    private readonly model: DiffusionLm,
    prompt: number[],
    private readonly settings: LladaSettings,
  ) {
    this.tokens = initialTokens(prompt, settings.length, model);
    this.blocks = makeBlocks(this.tokens, model.maskTokenId, settings.blockLength);
    const masked = maskedPositions(this.tokens, model.maskTokenId).length;
    if (!(Number.isInteger(settings.steps) && settings.steps >= 1))
      throw badInput(`steps must be a whole number ≥ 1; got ${settings.steps}`);
    if (settings.steps > masked)
      throw badInput(`${settings.steps} steps for ${masked} masked tokens: use at most one step per token`);
    if (settings.steps % this.blocks.count !== 0) {
      throw badInput(
        `${settings.steps} steps do not split evenly over ${this.blocks.count} blocks`,
        `use a multiple of ${this.blocks.count}`,
      );
    }
    if (!(settings.temperature >= 0)) throw badInput(`temperature must be ≥ 0; got ${settings.temperature}`);
    this.stepsPerBlock = settings.steps / this.blocks.count;
    this.rng = new Rng(settings.seed);
    this.predictor = new Predictor(gpu, model, settings.cache ?? 'none');
    this.startBlock();
  }

  private masksIn(k: number): number[] {
    const [a, b] = blockRange(this.blocks, k);
    return maskedPositions(this.tokens, this.model.maskTokenId).filter((j) => j >= a && j < b);
  }

  private startBlock(): void {
    this.schedule = transferSchedule(this.masksIn(this.block).length, this.stepsPerBlock);
    this.inBlock = 0;
  }

  get done(): boolean {
    return this.block >= this.blocks.count;
  }

  /** Which block the next step works on (for views). */
  get currentBlock(): number {
    return this.block;
  }

  async step(): Promise<DiffusionStep | null> {
    if (this.done) return null;
    const V = this.model.vocabSize;
    const mask = this.model.maskTokenId;
    // 1. Predict every position from the current sequence (σ = 0: LLaDA conditions on the masks alone).
    const { p, rows } = await this.predictor.predict(this.tokens, 0, {
      block: blockRange(this.blocks, this.block),
      blockChanged: this.inBlock === 0,
      masked: maskedPositions(this.tokens, this.model.maskTokenId),
      justDecoded: this.justDecoded,
    });
    // 2. Propose a token and a confidence for each masked position of the current block only.
    const candidates = this.masksIn(this.block);
    const { x0, conf } = propose(p, V, candidates, this.settings.temperature, this.settings.remasking, this.rng);
    // 3. Commit the k most confident proposals; the others stay masked.
    const k = Math.min(this.schedule[this.inBlock], candidates.length);
    const unmasked = mostConfident(conf, k).sort((a, b) => a - b);
    for (const j of unmasked) this.tokens[j] = x0.get(j)!;
    this.n++;
    // 4. Move to the next block once this one has used its steps.
    this.inBlock++;
    if (this.inBlock >= this.stepsPerBlock) {
      this.block++;
      if (!this.done) this.startBlock();
    }
    this.justDecoded = unmasked;
    const top = topPerPosition(p, this.tokens.length, V);
    return {
      step: this.n,
      tokens: this.tokens.slice(),
      unmasked,
      confidence: confidenceOf(this.tokens, p, V, mask),
      topIds: top.ids,
      topProbs: top.probs,
      forwards: 1,
      rows,
      done: this.done,
    };
  }

  release(): void {
    this.predictor.release();
  }
}
