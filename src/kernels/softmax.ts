// Row softmax over the last dimension with an optional scale and additive mask:
// x [..., C] → y [..., C]. See shaders/softmax.wgsl for the masking rules (a mask value ≤ −1e30,
// −Infinity included, masks a position; a fully masked row comes out all zeros).

import code from '../../shaders/softmax.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import { numel, type Tensor } from '../gpu/tensor.ts';
import { expectDType, fail } from './checks.ts';
import { rowsOf, rowWorkgroups } from './rows.ts';
import { variantClass, type VariantClass } from './variants.ts';

export interface SoftmaxOptions {
  mask?: Tensor | null; // additive, shaped like a suffix of x's shape ([C], [R, C], [T, T] under [H, T, T])
  scale?: number; // multiplies x before the mask is added; default 1
  variant?: VariantClass; // kernel variant; defaults to the adapter's class (tests force each)
  label?: string; // kernel and output label; default "softmax"
}

/** y = softmax(x · scale + mask) over the last dimension of x [..., C]. */
export function softmax(gpu: Gpu, x: Tensor, options: SoftmaxOptions = {}): Tensor {
  const label = options.label ?? 'softmax';
  const scale = options.scale ?? 1;
  const mask = options.mask ?? null;
  const variant = options.variant ?? variantClass(gpu);
  expectDType(label, x, 'f32');
  const { rows, cols } = rowsOf(label, x);
  if (!Number.isFinite(scale)) fail(label, `scale must be finite, got ${scale}`);
  let maskRows = 1;
  if (mask) {
    expectDType(label, mask, 'f32');
    const suffix = x.shape.slice(x.shape.length - mask.shape.length);
    if (mask.shape.length < 1 || mask.shape.length > x.shape.length || suffix.some((d, i) => d !== mask.shape[i])) {
      fail(label, `mask ${JSON.stringify(mask.shape)} does not broadcast to x ${JSON.stringify(x.shape)}`);
    }
    maskRows = numel(mask.shape) / cols;
  }
  const y = gpu.empty(x.shape, 'f32', label); // [..., C]
  gpu.run({
    label,
    code,
    entryPoint: variant === 'gpu' ? 'rows_gpu' : 'rows_cpu',
    params: { rows, cols, mask_rows: maskRows, has_mask: mask ? 1 : 0, scale },
    bindings: [x, mask ?? x, y],
    workgroups: rowWorkgroups(gpu, variant, rows),
  });
  return y;
}
