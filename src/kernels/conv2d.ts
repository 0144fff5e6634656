// 2-D convolution of one channel-major image: stride 1, "same" zero padding, odd square kernels
// (1×1 and 3×3 in the image decoder). See shaders/conv2d.wgsl.

import code from '../../shaders/conv2d.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt, expectRank, expectShape, fail } from './checks.ts';
import { variantClass, type VariantClass } from './variants.ts';

/** Largest kernel side: the GPU variant stages an (8 + k − 1)² input patch in workgroup memory. */
export const CONV_MAX_KERNEL = 7;

export interface Conv2dOptions {
  variant?: VariantClass; // kernel variant; defaults to the adapter's class (tests force each)
  label?: string; // kernel and output label; default "conv2d"
}

/** y = conv(x, weight) + bias for x [Cin, H, W], weight [Cout, Cin, k, k] (odd k ≤ 7), bias [Cout] or
 *  null; stride 1 and (k − 1) / 2 zero padding, so y is [Cout, H, W] (PyTorch's Conv2d(padding=k // 2)). */
export function conv2d(gpu: Gpu, x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions = {}): Tensor {
  const label = options.label ?? 'conv2d';
  const variant = options.variant ?? variantClass(gpu);
  expectDType(label, x, 'f32');
  expectDType(label, weight, 'f32');
  expectRank(label, x, 3);
  expectRank(label, weight, 4);
  const [cin, height, width] = x.shape;
  const [cout, , k, kw] = weight.shape;
  expectPositiveInt(label, 'Cin', cin);
  expectPositiveInt(label, 'H', height);
  expectPositiveInt(label, 'W', width);
  expectPositiveInt(label, 'Cout', cout);
  if (k !== kw || k % 2 !== 1 || k > CONV_MAX_KERNEL) {
    fail(label, `${weight.label} has a ${k}×${kw} kernel; expected an odd square side ≤ ${CONV_MAX_KERNEL}`);
  }
  expectShape(label, weight, [cout, cin, k, k]);
  if (bias) {
    expectDType(label, bias, 'f32');
    expectShape(label, bias, [cout]);
  }
  const y = gpu.empty([cout, height, width], 'f32', label); // [Cout, H, W]
  const tiles =
    variant === 'gpu'
      ? Math.ceil(cout / 8) * Math.ceil(height / 8) * Math.ceil(width / 8)
      : Math.ceil((Math.ceil(cout / 8) * height * Math.ceil(width / 8)) / 64);
  gpu.run({
    label,
    code,
    entryPoint: variant === 'gpu' ? 'conv_gpu' : k === 3 ? 'conv3_cpu' : 'conv_cpu',
    params: { cin, cout, height, width, k, has_bias: bias ? 1 : 0 },
    bindings: [x, weight, bias ?? weight, y],
    workgroups: gpu.grid(tiles),
  });
  return y;
}
