// How many values of a tensor are NaN or ±inf, and where the first one is: a GPU reduction whose 8-byte
// result is all that needs to come back (see shaders/nonfinite.wgsl).

import code from '../../shaders/nonfinite.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import { numel, type Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt } from './checks.ts';
import { variantClass, type VariantClass } from './variants.ts';

/** The index `nonFinite` reports when every value is finite. */
export const NO_INDEX = 0xffffffff;

/** Values each invocation of the CPU variant scans at least (fewer invocations for short inputs). */
const CPU_CHUNK = 1024;
/** Most invocations of the CPU variant (the partial pairs the combining invocation reads). */
const CPU_PARTS = 256;

export interface NonFiniteOptions {
  variant?: VariantClass; // 'cpu': chunks per invocation, then one combining invocation; 'gpu': a 256-invocation reduction. Default: the adapter's class
}

/** x (f32, any shape, N values) → [2] u32: the number of NaN / ±inf values, and the flat index of the
 *  first one (NO_INDEX when there is none). */
export function nonFinite(gpu: Gpu, x: Tensor, options: NonFiniteOptions = {}, label = 'nonfinite'): Tensor {
  expectDType('nonfinite', x, 'f32');
  const n = numel(x.shape);
  expectPositiveInt('nonfinite', 'N', n);
  const out = gpu.empty([2], 'u32', label); // [2]
  if ((options.variant ?? variantClass(gpu)) === 'gpu') {
    const params = { n, chunk: 0, parts: 0 };
    gpu.run({ label, code, entryPoint: 'workgroup_scan', params, bindings: [x, out], workgroups: [1] });
    return out;
  }
  const parts = Math.min(CPU_PARTS, Math.ceil(n / CPU_CHUNK));
  const chunk = Math.ceil(n / parts);
  const partial = gpu.empty([parts, 2], 'u32', `${label}.partial`); // [parts, 2]
  const params = { n, chunk, parts };
  gpu.run({
    label,
    code,
    entryPoint: 'partial_scan',
    params,
    bindings: [x, partial],
    workgroups: [Math.ceil(parts / 64)],
  });
  gpu.run({ label, code, entryPoint: 'combine', params, bindings: [partial, out], workgroups: [1] });
  partial.release();
  return out;
}
