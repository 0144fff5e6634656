// Residual-VQ decoding: the latent an image tokenizer's decoder starts from, as the sum over depths of
// each position's codebook vectors. See shaders/rvq.wgsl.

import code from '../../shaders/rvq.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { badInput } from '../shared/errors.ts';
import { expectDType, expectPositiveInt, expectRank, fail } from './checks.ts';

export interface RvqDecodeOptions {
  depths?: number; // sum only the first `depths` of the D codebooks (1 … D); default D
  label?: string; // kernel and output label; default "rvq"
}

/** z[c, p] = Σ_{d < depths} codebooks[d, codes[p, d], c] for codes [P, D] (i32) and codebooks [D, K, C]
 *  (f32) → z [C, P]. Codes live on the GPU, so they are not checked here: one outside [0, K) (the mask
 *  id K of a token not generated yet) contributes zero, never a stray read. */
export function rvqDecode(gpu: Gpu, codes: Tensor, codebooks: Tensor, options: RvqDecodeOptions = {}): Tensor {
  const label = options.label ?? 'rvq';
  expectDType(label, codes, 'i32');
  expectDType(label, codebooks, 'f32');
  expectRank(label, codes, 2);
  expectRank(label, codebooks, 3);
  const [P, D] = codes.shape;
  const [depthsAvailable, K, C] = codebooks.shape;
  expectPositiveInt(label, 'P', P);
  expectPositiveInt(label, 'D', D);
  expectPositiveInt(label, 'K', K);
  expectPositiveInt(label, 'C', C);
  if (depthsAvailable !== D) {
    fail(label, `${codes.label} has ${D} codes per position but ${codebooks.label} has ${depthsAvailable} codebooks`);
  }
  const depths = options.depths ?? D;
  if (!Number.isInteger(depths) || depths < 1 || depths > D) {
    throw badInput(`${label}: depths must be an integer in 1 … ${D}, got ${depths}`);
  }
  const z = gpu.empty([C, P], 'f32', label); // [C, P]
  gpu.run({
    label,
    code,
    params: { positions: P, stride: D, depths, codes: K, channels: C },
    bindings: [codes, codebooks, z],
    workgroups: gpu.grid(Math.ceil((C * P) / 256)),
  });
  return z;
}
