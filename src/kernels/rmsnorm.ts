// RMSNorm over the last dimension (Llama style): x [..., C] → y [..., C]. See shaders/rmsnorm.wgsl.

import code from '../../shaders/rmsnorm.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectEps, expectShape } from './checks.ts';
import { rowsOf, rowWorkgroups } from './rows.ts';
import { variantClass, type VariantClass } from './variants.ts';

export interface RmsNormOptions {
  eps?: number; // added to the mean square; default 1e-6 (Llama's rms_norm_eps)
  variant?: VariantClass; // kernel variant; defaults to the adapter's class (tests force each)
  label?: string; // kernel and output label; default "rmsnorm"
}

/** y = x / sqrt(mean(x²) + eps) · weight, per row of x [..., C]; weight is [C]. */
export function rmsNorm(gpu: Gpu, x: Tensor, weight: Tensor, options: RmsNormOptions = {}): Tensor {
  const label = options.label ?? 'rmsnorm';
  const eps = options.eps ?? 1e-6;
  const variant = options.variant ?? variantClass(gpu);
  expectDType(label, x, 'f32');
  expectDType(label, weight, 'f32');
  const { rows, cols } = rowsOf(label, x);
  expectShape(label, weight, [cols]);
  expectEps(label, eps);
  const y = gpu.empty(x.shape, 'f32', label); // [..., C]
  gpu.run({
    label,
    code,
    entryPoint: variant === 'gpu' ? 'rows_gpu' : 'rows_cpu',
    params: { rows, cols, eps },
    bindings: [x, weight, y],
    workgroups: rowWorkgroups(gpu, variant, rows),
  });
  return y;
}
