// LLaDA's sampler (Nie et al. 2025, ML-GSAI/LLaDA generate.py) as a step iterator: semi-autoregressive
// blocks; within a block, a fixed number of steps; at each step the model proposes a token for every
// masked position, and the k most confident proposals in the current block are committed (low-
// confidence remasking: the rest stay masked), or k chosen at random ('random' remasking).
// k follows LLaDA's `get_num_transfer_tokens`: the block's masks spread evenly over its steps, the
// remainder going to the first steps.

import type { Gpu } from '../gpu/gpu.ts';
import { badInput } from '../shared/errors.ts';
import { BlockSampler, type BlockSamplerSettings } from './blockSampler.ts';
import { mostConfident, propose } from './blocks.ts';
import { maskedPositions, type DiffusionLm, type DiffusionStep } from './diffusion.ts';

export interface LladaSettings extends BlockSamplerSettings {
  steps: number; // total steps, split evenly over the blocks
  remasking: 'low_confidence' | 'random';
}

/** Tokens to commit at each of `steps` steps for `masks` masked positions. */
export function transferSchedule(masks: number, steps: number): number[] {
  const base = Math.floor(masks / steps);
  const extra = masks % steps;
  return Array.from({ length: steps }, (_, i) => base + (i < extra ? 1 : 0));
}

export class LladaSampler extends BlockSampler {
  readonly stepsPerBlock: number;
  private inBlock = 0; // steps taken in the current block
  private schedule: number[] = [];

  constructor(
    gpu: Gpu,
    model: DiffusionLm,
    prompt: number[],
    private readonly settings: LladaSettings,
  ) {
    super(gpu, model, prompt, settings);
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
    this.stepsPerBlock = settings.steps / this.blocks.count;
    this.startBlock();
  }

  private startBlock(): void {
    this.schedule = transferSchedule(this.masksIn(this.block).length, this.stepsPerBlock);
    this.inBlock = 0;
  }

  protected advance(): void {
    this.inBlock++;
    if (this.inBlock >= this.stepsPerBlock) {
      this.block++;
      if (!this.done) this.startBlock();
    }
  }

  async step(): Promise<DiffusionStep | null> {
    if (this.done) return null;
    // 1. Predict every position from the current sequence (a full pass at the start of a block).
    const prediction = await this.predict(this.inBlock === 0);
    // 2. Propose a token and a confidence for each masked position of the current block only.
    const candidates = this.masksIn(this.block);
    const { x0, conf } = propose(
      prediction.p,
      this.model.vocabSize,
      candidates,
      this.settings.temperature,
      this.settings.remasking,
      this.rng,
    );
    // 3. Commit the k most confident proposals; the others stay masked. The block ends after its steps.
    const k = Math.min(this.schedule[this.inBlock], candidates.length);
    return this.commit(
      mostConfident(conf, k).sort((a, b) => a - b),
      x0,
      prediction,
    );
  }
}
