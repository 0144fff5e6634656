// How many values of a tensor are NaN or ±inf, and where the first one is: a GPU reduction whose 8-byte
// result is all that needs to come back (see shaders/nonfinite.wgsl).

import code from '../../shaders/nonfinite.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import { numel, type Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt } from './checks.ts';

/** The index `nonFinite` reports when every value is finite. */
export const NO_INDEX = 0xffffffff;

/** x (f32, any shape, N values) → [2] u32: the number of NaN / ±inf values, and the flat index of the
 *  first one (NO_INDEX when there is none). */
export function nonFinite(gpu: Gpu, x: Tensor, label = 'nonfinite'): Tensor {
  expectDType('nonfinite', x, 'f32');
  const n = numel(x.shape);
  expectPositiveInt('nonfinite', 'N', n);
  const out = gpu.empty([2], 'u32', label); // [2]
  gpu.run({ label, code, params: { n }, bindings: [x, out], workgroups: [1] });
  return out;
}
