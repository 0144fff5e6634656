// Row-wise L2 normalisation, as torch.nn.functional.normalize(x, dim=-1). See shaders/l2norm.wgsl.

import code from '../../shaders/l2norm.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectEps } from './checks.ts';
import { rowsOf } from './rows.ts';

/** y = x / max(‖x‖₂, eps) per row of x [..., C] (eps defaults to F.normalize's 1e-12) → [..., C]. */
export function l2Normalize(gpu: Gpu, x: Tensor, options: { eps?: number; label?: string } = {}): Tensor {
  const label = options.label ?? 'l2norm';
  const eps = options.eps ?? 1e-12;
  expectDType(label, x, 'f32');
  expectEps(label, eps);
  const { rows, cols } = rowsOf(label, x);
  const y = gpu.empty(x.shape, 'f32', label); // [..., C]
  gpu.run({ label, code, params: { rows, cols, eps }, bindings: [x, y], workgroups: gpu.grid(Math.ceil(rows / 64)) });
  return y;
}
