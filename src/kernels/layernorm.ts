// LayerNorm over the last dimension, with an optional bias (MDLM's LayerNorm has weight only).
// Leading dimensions are rows: x [..., C] → y [..., C]. See shaders/layernorm.wgsl.

import code from '../../shaders/layernorm.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectEps, expectShape } from './checks.ts';
import { rowsOf, rowWorkgroups } from './rows.ts';
import { variantClass, type VariantClass } from './variants.ts';

export interface LayerNormOptions {
  eps?: number; // added to the variance; default 1e-5 (PyTorch's default)
  variant?: VariantClass; // kernel variant; defaults to the adapter's class (tests force each)
  label?: string; // kernel and output label; default "layernorm"
}

/** y = (x − mean) / sqrt(var + eps) · weight (+ bias), per row of x [..., C]; weight and bias are [C]. */
export function layerNorm(
  gpu: Gpu,
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  options: LayerNormOptions = {},
): Tensor {
  const label = options.label ?? 'layernorm';
  const eps = options.eps ?? 1e-5;
  const variant = options.variant ?? variantClass(gpu);
  expectDType(label, x, 'f32');
  expectDType(label, weight, 'f32');
  const { rows, cols } = rowsOf(label, x);
  expectShape(label, weight, [cols]);
  if (bias) {
    expectDType(label, bias, 'f32');
    expectShape(label, bias, [cols]);
  }
  expectEps(label, eps);
  const y = gpu.empty(x.shape, 'f32', label); // [..., C]
  gpu.run({
    label,
    code,
    entryPoint: variant === 'gpu' ? 'rows_gpu' : 'rows_cpu',
    params: { rows, cols, eps, has_bias: bias ? 1 : 0 },
    bindings: [x, weight, bias ?? weight, y],
    workgroups: rowWorkgroups(gpu, variant, rows),
  });
  return y;
}
