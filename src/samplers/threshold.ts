// Confidence-threshold parallel decoding (Fast-dLLM, Wu et al. 2025, NVlabs/Fast-dLLM): within the
// current semi-autoregressive block, every masked position whose proposal reaches the threshold is
// committed at once — and always at least the single most confident one, so each step makes progress.
// The number of steps is not fixed: easy spans finish in few steps, hard ones take more.

import type { Gpu } from '../gpu/gpu.ts';
import { badInput } from '../shared/errors.ts';
import { BlockSampler, type BlockSamplerSettings } from './blockSampler.ts';
import { mostConfident, propose } from './blocks.ts';
import type { DiffusionLm, DiffusionStep } from './diffusion.ts';

export interface ThresholdSettings extends BlockSamplerSettings {
  threshold: number; // in (0, 1]: commit every proposal at least this confident
}

export class ThresholdSampler extends BlockSampler {
  private predictedBlock = -1; // block of the previous prediction

  constructor(
    gpu: Gpu,
    model: DiffusionLm,
    prompt: number[],
    private readonly settings: ThresholdSettings,
  ) {
    if (!(settings.threshold > 0 && settings.threshold <= 1))
      throw badInput(`threshold must be in (0, 1]; got ${settings.threshold}`);
    super(gpu, model, prompt, settings);
    this.advance();
  }

  /** Moves past blocks that have no masks left. */
  protected advance(): void {
    while (this.block < this.blocks.count && this.masksIn(this.block).length === 0) this.block++;
  }

  async step(): Promise<DiffusionStep | null> {
    if (this.done) return null;
    // 1. Predict every position from the current sequence (a full pass when a new block starts).
    const prediction = await this.predict(this.block !== this.predictedBlock);
    this.predictedBlock = this.block;
    // 2. Propose a token and a confidence for each masked position of the current block.
    const { x0, conf } = propose(
      prediction.p,
      this.model.vocabSize,
      this.masksIn(this.block),
      this.settings.temperature,
      'low_confidence',
      this.rng,
    );
    // 3. Commit every proposal at or above the threshold, and at least the most confident one.
    const sure = [...conf.entries()].filter(([, c]) => c >= this.settings.threshold).map(([j]) => j);
    return this.commit(
      (sure.length > 0 ? sure : mostConfident(conf, 1)).sort((a, b) => a - b),
      x0,
      prediction,
    );
  }
}
