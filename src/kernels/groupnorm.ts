// GroupNorm of one channel-major image with a per-channel affine map, optionally fused with the SiLU
// that follows it in the image decoder. See shaders/groupnorm.wgsl.

import code from '../../shaders/groupnorm.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { badInput } from '../shared/errors.ts';
import { expectDType, expectEps, expectPositiveInt, expectRank, expectShape } from './checks.ts';
import { variantClass, type VariantClass } from './variants.ts';

export interface GroupNormOptions {
  eps?: number; // added to the variance; default 1e-5 (PyTorch's default)
  silu?: boolean; // y = silu(groupnorm(x)); default false
  variant?: VariantClass; // kernel variant; defaults to the adapter's class (tests force each)
  label?: string; // kernel and output label; default "groupnorm"
}

/** torch.nn.GroupNorm(groups, C) on x [C, H, W] with weight and bias [C] → [C, H, W]; C % groups must be 0. */
export function groupNorm(
  gpu: Gpu,
  x: Tensor,
  groups: number,
  weight: Tensor,
  bias: Tensor,
  options: GroupNormOptions = {},
): Tensor {
  const label = options.label ?? 'groupnorm';
  const eps = options.eps ?? 1e-5;
  const variant = options.variant ?? variantClass(gpu);
  expectDType(label, x, 'f32');
  expectDType(label, weight, 'f32');
  expectDType(label, bias, 'f32');
  expectRank(label, x, 3);
  const [C, H, W] = x.shape;
  expectPositiveInt(label, 'C', C);
  expectPositiveInt(label, 'H', H);
  expectPositiveInt(label, 'W', W);
  if (!Number.isInteger(groups) || groups < 1 || C % groups !== 0) {
    throw badInput(
      `${label}: ${groups} groups do not split the ${C} channels of ${x.label} evenly`,
      'the group count must be a positive divisor of the channel count',
    );
  }
  expectShape(label, weight, [C]);
  expectShape(label, bias, [C]);
  expectEps(label, eps);
  const params = { groups, group: (C / groups) * H * W, pixels: H * W, eps, silu: options.silu ? 1 : 0 };
  const stats = gpu.empty([groups, 2], 'f32', `${label}.stats`); // [G, 2] (mean, 1/σ)
  gpu.run({
    label: `${label}.stats`,
    code,
    entryPoint: variant === 'gpu' ? 'stats_gpu' : 'stats_cpu',
    params,
    bindings: [x, stats],
    workgroups: variant === 'gpu' ? gpu.grid(groups) : [Math.ceil(groups / 64)],
  });
  const y = gpu.empty([C, H, W], 'f32', label); // [C, H, W]
  gpu.run({
    label,
    code,
    entryPoint: 'apply',
    params,
    bindings: [x, stats, weight, bias, y],
    workgroups: gpu.grid(Math.ceil((C * H * W) / 256)),
  });
  stats.release();
  return y;
}
