// Stopping on NaN: each step's logits are scanned on the GPU for NaN / ±inf before the sampler uses
// them (the scan's 8-byte result comes back in the same readback as whatever the sampler reads), so
// damaged weights or an overflow end the run with one typed error naming the step, instead of a
// string of garbage tokens.

import type { Gpu } from '../gpu/gpu.ts';
import { numel, type HostArray, type Tensor } from '../gpu/tensor.ts';
import { NO_INDEX, nonFinite } from '../kernels/nonFinite.ts';
import { StepwiseError } from '../shared/errors.ts';

/** Reads `also` back with the non-finite scan of `logits` [R, V] (one readback), and throws a
 *  'non-finite' error naming `where` (e.g. "step 3") if the logits hold NaN or ±inf. */
export async function readChecked(gpu: Gpu, logits: Tensor, where: string, also: Tensor[]): Promise<HostArray[]> {
  const flag = nonFinite(gpu, logits, {}, 'logits.nonfinite'); // [2]: count, first index
  const [scan, ...rest] = await gpu.readAll([flag, ...also]).finally(() => flag.release());
  const [count, first] = scan;
  if (count === 0 || first === NO_INDEX) return rest;
  const cols = logits.shape[logits.shape.length - 1];
  const at = logits.shape.length > 1 ? `row ${Math.floor(first / cols)}, column ${first % cols}` : `index ${first}`;
  throw new StepwiseError(
    'non-finite',
    `${where}: the model's logits hold ${count} NaN or infinite value${count === 1 ? '' : 's'} of ${numel(logits.shape)} (the first at ${at})`,
    'the weights may hold NaN or Inf (see the warnings from loading), or a setting overflows: try another model or setting',
  );
}

/** Reads `logits` back after checking them. */
export async function readFinite(gpu: Gpu, logits: Tensor, where: string): Promise<Float32Array> {
  const [data] = await readChecked(gpu, logits, where, [logits]);
  return data as Float32Array;
}
