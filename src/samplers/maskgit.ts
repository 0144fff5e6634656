// MaskGIT's sampler (Chang et al. 2022; algorithms.md §4.2) over an RVQ token grid, depth-aware, as a
// step iterator. Each step predicts every masked token in parallel, draws a code for each, and keeps
// the n most confident draws, n following the cosine schedule; the rest stay masked.
// Depth-aware: a token's confidence is capped by the confidence of the masked coarser depths at its
// position, so a finer depth is never fixed while a coarser one there stays masked (at every step the
// fixed depths of a position are 0…k). Confidence is log p(draw) plus Gumbel noise annealed from
// `choiceTemperature` to 0 over the steps (MaskGIT's choice_temperature · (1 − t/S)).

import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { badInput } from '../shared/errors.ts';
import { readFinite } from './finite.ts';
import { Rng } from '../shared/rng.ts';
import {
  checkImageSampling,
  drawLog,
  guide,
  logSoftmaxRow,
  sequenceLength,
  type ImageSamplingSettings,
  type ImageTokenStep,
  type TokenGrid,
} from './imageTokens.ts';

/** What a masked image-token model offers the sampler (models/maskgit.ts implements it). */
export interface MaskedImageLm<Options> {
  readonly nullClass: number; // the class id of "no class" (guidance's unconditional half)
  /** Logits [P·D, K] for tokens [P·D] (the mask id where unknown) under class `classId`. */
  forward(tokens: Int32Array, classId: number, options?: Options): Tensor;
}

export interface MaskgitSettings extends ImageSamplingSettings {
  steps: number; // refinement steps, 1 … P·D
  choiceTemperature: number; // Gumbel noise on confidences at the first step (MaskGIT: 4.5), ≥ 0
}

/** Tokens still masked after each step t = 1…S: ⌊L · cos(π/2 · t/S)⌋, at least one fewer each step, 0 at the end. */
export function maskSchedule(total: number, steps: number): number[] {
  const out: number[] = [];
  let prev = total;
  for (let t = 1; t <= steps; t++) {
    const m = t === steps ? 0 : Math.min(prev - 1, Math.floor(total * Math.cos((Math.PI / 2) * (t / steps))));
    out.push(m);
    prev = m;
  }
  return out;
}

/** Tokens fixed at each step: the differences of the mask schedule. */
export function fixSchedule(total: number, steps: number): number[] {
  const m = maskSchedule(total, steps);
  return m.map((x, i) => (i === 0 ? total : m[i - 1]) - x);
}

export class MaskgitSampler<Options> {
  readonly tokens: Int32Array; // [P·D] current tokens
  readonly schedule: number[]; // tokens fixed at each step
  private readonly rng: Rng;
  private t = 0; // steps taken

  constructor(
    private readonly gpu: Gpu,
    private readonly model: MaskedImageLm<Options>,
    readonly grid: TokenGrid,
    private readonly settings: MaskgitSettings,
    numClasses: number,
    private readonly options?: Options,
  ) {
    checkImageSampling(settings, numClasses);
    const L = sequenceLength(grid);
    if (!(Number.isInteger(settings.steps) && settings.steps >= 1 && settings.steps <= L)) {
      throw badInput(`steps must be a whole number from 1 to ${L} (one token per step); got ${settings.steps}`);
    }
    if (!(Number.isFinite(settings.choiceTemperature) && settings.choiceTemperature >= 0)) {
      throw badInput(`the choice temperature must be ≥ 0; got ${settings.choiceTemperature}`);
    }
    this.tokens = new Int32Array(L).fill(grid.codebookSize);
    this.schedule = fixSchedule(L, settings.steps);
    this.rng = new Rng(settings.seed);
  }

  get done(): boolean {
    return this.t >= this.settings.steps;
  }

  async step(): Promise<ImageTokenStep | null> {
    if (this.done) return null;
    const { codebookSize: K, depths: D } = this.grid;
    const L = this.tokens.length;
    const { classId, guidance, temperature, choiceTemperature, steps } = this.settings;
    // 1. Predict every token from the current grid, with and without the class (guidance).
    const cond = await this.logits(classId);
    const uncond = guidance > 0 ? await this.logits(this.model.nullClass) : null;
    const logits = guide(cond, uncond, guidance); // [L, K]
    // 2. Draw a code for every masked token; its confidence is log p(code) + annealed Gumbel noise.
    const anneal = choiceTemperature * (1 - this.t / steps);
    const draw = new Int32Array(L).fill(-1);
    const logp = new Float64Array(L).fill(NaN);
    const conf = new Float64Array(L).fill(-Infinity);
    const row = new Float64Array(K);
    for (let i = 0; i < L; i++) {
      if (this.tokens[i] !== K) continue;
      logSoftmaxRow(logits, i, K, temperature, row);
      draw[i] = drawLog(row, this.rng.next());
      logp[i] = row[draw[i]];
      const gumbel = -Math.log(-Math.log(Math.max(this.rng.next(), 1e-300)));
      conf[i] = logp[i] + anneal * gumbel;
    }
    // 3. Cap each confidence by the masked coarser depths at its position (coarse before fine).
    for (let i = 0; i < L; i++) {
      if (draw[i] < 0 || i % D === 0) continue;
      if (draw[i - 1] >= 0) conf[i] = Math.min(conf[i], conf[i - 1]);
    }
    // 4. Fix the schedule's number of most confident draws (ties: the coarser depth first).
    const masked = Array.from({ length: L }, (_, i) => i).filter((i) => draw[i] >= 0);
    masked.sort((a, b) => conf[b] - conf[a] || (a % D) - (b % D) || a - b);
    const chosen = masked.slice(0, this.schedule[this.t]);
    const confidence = new Float32Array(L).fill(NaN);
    for (const i of chosen) {
      this.tokens[i] = draw[i];
      confidence[i] = Math.exp(logp[i]);
    }
    this.t++;
    return {
      step: this.t,
      tokens: this.tokens.slice(),
      unmasked: chosen,
      confidence,
      forwards: uncond ? 2 : 1,
      done: this.done,
    };
  }

  private async logits(classId: number): Promise<Float32Array> {
    const t = this.model.forward(this.tokens, classId, this.options); // [L, K]
    return readFinite(this.gpu, t, `step ${this.t + 1}`).finally(() => t.release());
  }
}
