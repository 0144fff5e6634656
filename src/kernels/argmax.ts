// Row-wise argmax (greedy decoding, the confidence picks of masked diffusion). See shaders/argmax.wgsl
// for the order used: −0 = +0, NaN above +inf (first NaN wins, as in torch), ties to the lowest column.

import code from '../../shaders/argmax.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt, expectRank } from './checks.ts';
import { variantClass, type VariantClass } from './variants.ts';

export interface ArgmaxOptions {
  variant?: VariantClass; // 'cpu': a thread per row, no barriers; 'gpu': a workgroup per row. Default: the adapter's class
}

/** x [R, C] f32 → [R] i32 column of each row's maximum. */
export function argmax(gpu: Gpu, x: Tensor, options: ArgmaxOptions = {}, label = 'argmax'): Tensor {
  expectDType('argmax', x, 'f32');
  expectRank('argmax', x, 2);
  const [R, C] = x.shape;
  expectPositiveInt('argmax', 'R', R);
  expectPositiveInt('argmax', 'C', C);
  const perWorkgroup = (options.variant ?? variantClass(gpu)) === 'gpu';
  const out = gpu.empty([R], 'i32', label); // [R]
  gpu.run({
    label,
    code,
    entryPoint: perWorkgroup ? 'workgroup_per_row' : 'thread_per_row',
    params: { rows: R, cols: C },
    bindings: [x, out],
    workgroups: gpu.grid(perWorkgroup ? R : Math.ceil(R / 64)),
  });
  return out;
}
