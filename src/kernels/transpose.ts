// Matrix transpose. See shaders/transpose.wgsl.

import code from '../../shaders/transpose.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt, expectRank } from './checks.ts';

/** x [R, C] → xᵀ [C, R]. */
export function transpose(gpu: Gpu, x: Tensor, label = 'transpose'): Tensor {
  expectDType(label, x, 'f32');
  expectRank(label, x, 2);
  const [R, C] = x.shape;
  expectPositiveInt(label, 'R', R);
  expectPositiveInt(label, 'C', C);
  const y = gpu.empty([C, R], 'f32', label); // [C, R]
  gpu.run({
    label,
    code,
    params: { n: R * C, rows: R },
    bindings: [x, y],
    workgroups: gpu.grid(Math.ceil((R * C) / 256)),
  });
  return y;
}
