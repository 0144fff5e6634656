// Vector quantisation: the id of the nearest codebook entry of each row. See shaders/vq_nearest.wgsl.

import code from '../../shaders/vq_nearest.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt, expectRank, fail } from './checks.ts';

/** ids[n] = argmin_k ‖z[n] − codebook[k]‖² (lowest k on ties) for z [N, D], codebook [K, D] → [N] i32. */
export function vqNearest(gpu: Gpu, z: Tensor, codebook: Tensor, label = 'vq_nearest'): Tensor {
  expectDType(label, z, 'f32');
  expectDType(label, codebook, 'f32');
  expectRank(label, z, 2);
  expectRank(label, codebook, 2);
  const [N, D] = z.shape;
  const [K, Dk] = codebook.shape;
  expectPositiveInt(label, 'N', N);
  expectPositiveInt(label, 'D', D);
  expectPositiveInt(label, 'K', K);
  if (Dk !== D) fail(label, `${z.label} has ${D} columns but ${codebook.label} entries have ${Dk}`);
  const ids = gpu.empty([N], 'i32', label); // [N]
  gpu.run({
    label,
    code,
    params: { rows: N, codes: K, dim: D },
    bindings: [z, codebook, ids],
    workgroups: gpu.grid(Math.ceil(N / 64)),
  });
  return ids;
}
