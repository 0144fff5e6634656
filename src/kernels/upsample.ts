// Nearest-neighbour ×2 upsampling of a channel-major image, as between the image decoder's levels.
// See shaders/upsample.wgsl.

import code from '../../shaders/upsample.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt, expectRank } from './checks.ts';

/** y[c, r, col] = x[c, ⌊r / 2⌋, ⌊col / 2⌋]: x [C, H, W] → y [C, 2H, 2W]. */
export function upsample2x(gpu: Gpu, x: Tensor, label = 'upsample2x'): Tensor {
  expectDType(label, x, 'f32');
  expectRank(label, x, 3);
  const [C, H, W] = x.shape;
  expectPositiveInt(label, 'C', C);
  expectPositiveInt(label, 'H', H);
  expectPositiveInt(label, 'W', W);
  const n = C * 4 * H * W;
  const y = gpu.empty([C, 2 * H, 2 * W], 'f32', label); // [C, 2H, 2W]
  gpu.run({ label, code, params: { n, width: W }, bindings: [x, y], workgroups: gpu.grid(Math.ceil(n / 256)) });
  return y;
}
