// Confidence-threshold parallel decoding (Fast-dLLM, Wu et al. 2025, NVlabs/Fast-dLLM): within the
// current semi-autoregressive block, every masked position whose proposal reaches the threshold is
// committed at once — and always at least the single most confident one, so each step makes progress.
// The number of steps is not fixed: easy spans finish in few steps, hard ones take more.

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

export interface ThresholdSettings {
  threshold: number; // in (0, 1]: commit every proposal at least this confident
  length: number; // masks appended after the prompt
  blockLength?: number; // default: one block over the whole generation
  temperature: number; // Gumbel noise on the proposals; 0 = argmax
  seed: number;
  cache?: StepCacheMode; // caching across steps (default 'none')
}

export class ThresholdSampler {
  readonly tokens: Int32Array;
  readonly blocks: Blocks;
  private block = 0;
  private n = 0;
  private readonly rng: Rng;
  private readonly predictor: Predictor;
  private justDecoded: number[] = [];
  private predictedBlock = -1; // block of the previous prediction

  constructor(
    gpu: Gpu,
    private readonly model: DiffusionLm,
    prompt: number[],
    private readonly settings: ThresholdSettings,
  ) {
    if (!(settings.threshold > 0 && settings.threshold <= 1))
      throw badInput(`threshold must be in (0, 1]; got ${settings.threshold}`);
    if (!(settings.temperature >= 0)) throw badInput(`temperature must be ≥ 0; got ${settings.temperature}`);
    this.tokens = initialTokens(prompt, settings.length, model);
    this.blocks = makeBlocks(this.tokens, model.maskTokenId, settings.blockLength);
    this.rng = new Rng(settings.seed);
    this.predictor = new Predictor(gpu, model, settings.cache ?? 'none');
    this.skipFinishedBlocks();
  }

  private masksIn(k: number): number[] {
    const [a, b] = blockRange(this.blocks, k);
    return maskedPositions(this.tokens, this.model.maskTokenId).filter((j) => j >= a && j < b);
  }

  private skipFinishedBlocks(): void {
    while (this.block < this.blocks.count && this.masksIn(this.block).length === 0) this.block++;
  }

  get done(): boolean {
    return this.block >= this.blocks.count;
  }

  get currentBlock(): number {
    return this.block;
  }

  async step(): Promise<DiffusionStep | null> {
    if (this.done) return null;
    const V = this.model.vocabSize;
    // 1. Predict every position from the current sequence.
    const { p, rows } = await this.predictor.predict(this.tokens, 0, {
      block: blockRange(this.blocks, this.block),
      blockChanged: this.block !== this.predictedBlock,
      masked: maskedPositions(this.tokens, this.model.maskTokenId),
      justDecoded: this.justDecoded,
    });
    this.predictedBlock = this.block;
    // 2. Propose a token and a confidence for each masked position of the current block.
    const { x0, conf } = propose(p, V, this.masksIn(this.block), this.settings.temperature, 'low_confidence', this.rng);
    // 3. Commit every proposal at or above the threshold, and at least the most confident one.
    const sure = [...conf.entries()].filter(([, c]) => c >= this.settings.threshold).map(([j]) => j);
    const unmasked = (sure.length > 0 ? sure : mostConfident(conf, 1)).sort((a, b) => a - b);
    for (const j of unmasked) this.tokens[j] = x0.get(j)!;
    this.n++;
    // 4. Move past blocks that have no masks left.
    this.skipFinishedBlocks();
    this.justDecoded = unmasked;
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

  release(): void {
    this.predictor.release();
  }
}
