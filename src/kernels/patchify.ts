// Non-overlapping image patches as rows (im2col of a stride-p, p×p convolution), for a ViT's patch
// embedding. See shaders/patchify.wgsl.

import code from '../../shaders/patchify.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt, expectRank, fail } from './checks.ts';

/** x [C, H, W] → [(H/p)·(W/p), C·p·p]: row g = gy·(W/p) + gx holds patch (gy, gx) in the order
 *  (c, ky, kx) of a conv weight [Cout, C, p, p], so `matmul(patches, weight as [Cout, C·p·p], transB)`
 *  is Conv2d(kernel_size=p, stride=p). p must divide H and W. */
export function patchify(gpu: Gpu, x: Tensor, patch: number, label = 'patchify'): Tensor {
  expectDType(label, x, 'f32');
  expectRank(label, x, 3);
  const [C, H, W] = x.shape;
  expectPositiveInt(label, 'C', C);
  expectPositiveInt(label, 'H', H);
  expectPositiveInt(label, 'W', W);
  expectPositiveInt(label, 'patch', patch);
  if (H % patch !== 0 || W % patch !== 0) fail(label, `patch ${patch} does not divide ${x.label} [${C}, ${H}, ${W}]`);
  const n = C * H * W;
  const out = gpu.empty([(H / patch) * (W / patch), C * patch * patch], 'f32', label); // [G, C·p·p]
  gpu.run({
    label,
    code,
    params: { n, height: H, width: W, side: patch },
    bindings: [x, out],
    workgroups: gpu.grid(Math.ceil(n / 256)),
  });
  return out;
}
