// Stopping on NaN: each step's logits are scanned on the GPU for NaN / ±inf before the sampler uses
// them (only the 8-byte result of the scan comes back for the check), so damaged weights or an
// overflow end the run with one typed error naming the step, instead of a string of garbage tokens.

import type { Gpu } from '../gpu/gpu.ts';
import { numel, type Tensor } from '../gpu/tensor.ts';
import { NO_INDEX, nonFinite } from '../kernels/nonFinite.ts';
import { StepwiseError } from '../shared/errors.ts';

/** Throws a 'non-finite' error naming `where` (e.g. "step 3") if `logits` [R, V] holds NaN or ±inf. */
export async function checkFinite(gpu: Gpu, logits: Tensor, where: string): Promise<void> {
  const flag = nonFinite(gpu, logits, 'logits.nonfinite'); // [2]: count, first index
  const [count, first] = await gpu.read(flag).finally(() => flag.release());
  if (count === 0 || first === NO_INDEX) return;
  const cols = logits.shape[logits.shape.length - 1];
  const at = logits.shape.length > 1 ? `row ${Math.floor(first / cols)}, column ${first % cols}` : `index ${first}`;
  throw new StepwiseError(
    'non-finite',
    `${where}: the model's logits hold ${count} NaN or infinite value${count === 1 ? '' : 's'} of ${numel(logits.shape)} (the first at ${at})`,
    'the weights may hold NaN or Inf (see the warnings from loading), or a setting overflows: try another model or setting',
  );
}

/** Reads `logits` back after checking them (both requests in flight together: one wait, not two). */
export async function readFinite(gpu: Gpu, logits: Tensor, where: string): Promise<Float32Array> {
  const [, data] = await Promise.all([checkFinite(gpu, logits, where), gpu.read(logits)]);
  return data as Float32Array;
}
