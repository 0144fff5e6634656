// Token merging inside a transformer block, applied without retraining: tomesd's scheme
// (`dbolya/tomesd`, algorithms.md §2.2) on the kernels of src/kernels/tome.ts. Once per block and
// forward, a plan is made from the block's input (pre-norm hidden states, compared by cosine): the
// tokens are cut into cells, one token of each cell is a destination, and the ⌊T · ratio⌋ other
// tokens most similar to a destination of their own choice merge into it (a plain mean). A branch
// (attention, MLP) then runs on the T − r merged tokens, and its output is unmerged — every token
// takes its slot's value — before the residual add, so the residual stream keeps full resolution.
// Cells: 2×2 on a raster grid (tomesd's default), 4 consecutive tokens on a 1-D sequence (the same
// ratio limit, 0.75). The destination of each cell is drawn from a seed (tomesd's use_rand), fixed
// per block, so that a run is reproducible.
// Two things the model reads from the plan: `positions`, the original position of the token that
// opens each slot (its destination, or an unmerged token itself), for position encodings of merged
// tokens; and `size`, how many tokens each slot holds, for ToMe's proportional attention (logits
// + ln size), which makes a slot of s tokens weigh as the s keys it stands for.

import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { GridSize } from '../kernels/morton.ts';
import { mergeTokens, tomesdPlan, unmergeTokens, type MergePlan } from '../kernels/tome.ts';
import { MAX_MERGE_RATIO } from './attentionMode.ts';
import { badInput } from '../shared/errors.ts';

export interface TokenMergeOptions {
  /** Fraction of the tokens merged away, in [0, 0.75]. */
  ratio: number;
  /** The T tokens are this raster grid (H·W = T): cells of 2×2. Without it: runs of 4 tokens. */
  grid?: GridSize;
  /** Seed of the destination in each cell (e.g. the block index). Default 0. */
  seed?: number;
  /** Label prefix of the plan's tensors and dispatches. Default "tomesd". */
  label?: string;
}

export class BlockMerge {
  private constructor(
    private readonly gpu: Gpu,
    private readonly plan: MergePlan,
    readonly positions: Tensor, // [T − r] i32: original position of the token opening each slot
    readonly size: Tensor, // [T − r] f32: tokens per slot
    private readonly label: string,
  ) {}

  /** A plan from metric [T, C] (the block's input), or null when the ratio is 0 (merging off). */
  static plan(gpu: Gpu, metric: Tensor, opts: TokenMergeOptions): BlockMerge | null {
    const { ratio } = opts;
    if (!(Number.isFinite(ratio) && ratio >= 0 && ratio <= MAX_MERGE_RATIO)) {
      throw badInput(`the token-merge ratio must be from 0 (off) to ${MAX_MERGE_RATIO}; got ${ratio}`);
    }
    if (ratio === 0) return null;
    const tokens = metric.shape[0];
    const grid = opts.grid ?? { height: 1, width: tokens };
    const label = opts.label ?? 'tomesd';
    const cells = opts.grid ? { sx: 2, sy: 2 } : { sx: 4, sy: 1 };
    const plan = tomesdPlan(gpu, metric, { ...grid, ...cells, ratio, seed: opts.seed ?? 0 }, label);
    // Every token counts once: merging ones gives the tokens per slot.
    const ones = gpu.upload(new Float32Array(tokens).fill(1), [tokens, 1], `${label}.ones`); // [T, 1]
    const counted = mergeTokens(gpu, plan, ones, undefined, `${label}.count`);
    ones.release();
    counted.x.release();
    return new BlockMerge(gpu, plan, plan.sources, counted.size, label);
  }

  get tokens(): number {
    return this.plan.tokens; // T
  }

  get kept(): number {
    return this.plan.kept; // T − r
  }

  /** x [T, …] → [T − r, …]: each slot the mean of its tokens. */
  merge(x: Tensor): Tensor {
    const r = mergeTokens(this.gpu, this.plan, x, undefined, `${this.label}.merge`);
    r.size.release();
    return r.x;
  }

  /** y [T − r, …] → [T, …]: every token takes the value of its slot. */
  unmerge(y: Tensor): Tensor {
    return unmergeTokens(this.gpu, this.plan, y, `${this.label}.unmerge`);
  }

  release(): void {
    this.size.release();
    this.plan.release(); // releases `positions` (the plan's sources) too
  }
}
