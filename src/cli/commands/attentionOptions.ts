// The attention options of `generate` for bidirectional models (--attention, --block-size,
// --top-k-blocks, --levels, --merge-ratio), and the comparison of a run with the dense run of the same
// settings and seed: deviation of the logits on the same input, share of generated tokens that
// differ, and the time per step both ways. The logits are compared on two inputs: the first step's
// (prompt and masks; with no prompt every position is [MASK], every value vector is the same, and any
// attention gives the same output), and the dense run's finished text, where attention matters.

import type { AttentionDeviation, AttentionSetting, DiffusionSettings } from '../../engine/api.ts';
import { describeAttention } from '../../models/attentionMode.ts';
import { badInput } from '../../shared/errors.ts';
import type { OptionSpec } from '../args.ts';
import { median } from '../../shared/median.ts';

export const ATTENTION_OPTIONS: Record<string, OptionSpec> = {
  attention: {
    type: 'string',
    choices: ['dense', 'block-topk', 'llsa'],
    description: 'attention (default dense); otherwise also runs dense to report deviation and time saved',
  },
  'block-size': { type: 'int', min: 2, description: 'block-topk, llsa: tokens per block, a power of two (default 16)' },
  'top-k-blocks': { type: 'int', min: 1, description: 'block-topk, llsa: blocks kept per query block (default 8)' },
  levels: { type: 'int', min: 1, max: 8, description: 'llsa: levels of pooled blocks (default 1)' },
  'merge-ratio': {
    type: 'number',
    min: 0,
    max: 0.75,
    description: 'token merging (tomesd) per block, 0 … 0.75 (default 0 = off); dense attention only',
  },
};

export type AttentionChoice = Pick<DiffusionSettings, 'attention' | 'mergeRatio'>;

/** The setting the options ask for; a sparse-only option without a sparse --attention is bad input. */
export function attentionChoice(o: Record<string, string | number | boolean>): AttentionChoice {
  const kind = (o.attention as AttentionSetting['kind'] | undefined) ?? 'dense';
  const only: Array<[string, AttentionSetting['kind'][]]> = [
    ['block-size', ['block-topk', 'llsa']],
    ['top-k-blocks', ['block-topk', 'llsa']],
    ['levels', ['llsa']],
  ];
  for (const [name, kinds] of only) {
    if (name in o && !kinds.includes(kind)) throw badInput(`--${name} applies to --attention ${kinds.join(' or ')}`);
  }
  const blockSize = (o['block-size'] as number | undefined) ?? 16;
  const topK = (o['top-k-blocks'] as number | undefined) ?? 8;
  const attention: AttentionSetting =
    kind === 'dense'
      ? { kind }
      : kind === 'block-topk'
        ? { kind, blockSize, topK }
        : { kind, blockSize, topK, levels: (o.levels as number | undefined) ?? 1 };
  return { attention, mergeRatio: (o['merge-ratio'] as number | undefined) ?? 0 };
}

export function isDenseChoice(c: AttentionChoice): boolean {
  return (c.attention?.kind ?? 'dense') === 'dense' && (c.mergeRatio ?? 0) === 0;
}

/** What a run needs to be compared: its starting sequence, final tokens and step times. */
export interface ComparedRun {
  start: number[]; // prompt, then masks
  maskTokenId: number;
  tokens: number[]; // after the last step
  stepMs: number[];
}

export interface AttentionComparison {
  attention: string; // e.g. "llsa (B=16, K=8, L=1)"
  setting: AttentionChoice;
  logitsRelL2: number; // on the first step's input, against dense
  logitsMaxAbs: number;
  textLogitsRelL2: number; // on the dense run's final sequence, against dense
  textLogitsMaxAbs: number;
  paddedTo: number; // tokens the model ran on ([MASK] padding to a multiple of B^L)
  generatedTokens: number; // positions masked at the start
  differentTokens: number; // of those, holding another token than in the dense run
  differentShare: number;
  msPerStep: number; // median over the run's steps
  denseMsPerStep: number; // the same for the dense run
  savedMsPerStep: number; // denseMsPerStep − msPerStep (negative: slower)
  speedup: number; // denseMsPerStep / msPerStep
}

/** The run against the dense run of the same settings and seed. Times are medians per step, so the
 *  first step of each run (which compiles the pipelines it is the first to use) does not count. */
export function compareWithDense(
  setting: AttentionChoice,
  run: ComparedRun,
  dense: ComparedRun,
  deviation: { start: AttentionDeviation; text: AttentionDeviation },
): AttentionComparison {
  // Only generated positions count: the prompt is the same in both runs by construction.
  const generated = run.start.flatMap((t, i) => (t === run.maskTokenId ? [i] : []));
  const different = generated.filter((i) => dense.tokens[i] !== run.tokens[i]).length;
  const msPerStep = median(run.stepMs);
  const denseMsPerStep = median(dense.stepMs);
  return {
    attention: describeAttention(setting),
    setting,
    logitsRelL2: deviation.start.relL2,
    logitsMaxAbs: deviation.start.maxAbs,
    textLogitsRelL2: deviation.text.relL2,
    textLogitsMaxAbs: deviation.text.maxAbs,
    paddedTo: deviation.start.paddedTo,
    generatedTokens: generated.length,
    differentTokens: different,
    differentShare: generated.length > 0 ? different / generated.length : 0,
    msPerStep,
    denseMsPerStep,
    savedMsPerStep: denseMsPerStep - msPerStep,
    speedup: denseMsPerStep / msPerStep,
  };
}

/** One line for stderr. */
export function comparisonLine(c: AttentionComparison): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const saved =
    c.savedMsPerStep >= 0
      ? `${c.savedMsPerStep.toFixed(0)} ms/step saved (${c.speedup.toFixed(2)}×)`
      : `${(-c.savedMsPerStep).toFixed(0)} ms/step slower (${c.speedup.toFixed(2)}×)`;
  return (
    `${c.attention} vs dense: logits relative L2 ${c.logitsRelL2.toExponential(2)} on the first step's input, ` +
    `${c.textLogitsRelL2.toExponential(2)} on the dense run's text; ` +
    `${c.differentTokens}/${c.generatedTokens} generated tokens differ (${pct(c.differentShare)}); ` +
    `${c.msPerStep.toFixed(0)} vs ${c.denseMsPerStep.toFixed(0)} ms/step (median): ${saved}`
  );
}
