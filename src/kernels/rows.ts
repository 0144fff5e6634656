// Shared by the row-wise kernels (layernorm, rmsnorm, softmax): x [..., C] is R rows of C columns,
// and the two variants dispatch a workgroup per row (gpu) or 64 rows per workgroup (cpu).

import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectPositiveInt, fail } from './checks.ts';
import type { VariantClass } from './variants.ts';

/** Rows × columns of a tensor normalised over its last dimension. */
export function rowsOf(kernel: string, x: Tensor): { rows: number; cols: number } {
  if (x.shape.length < 1) fail(kernel, `${x.label} is a scalar; expected at least one dimension`);
  const cols = x.shape[x.shape.length - 1];
  const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  expectPositiveInt(kernel, `${x.label} columns`, cols);
  expectPositiveInt(kernel, `${x.label} rows`, rows);
  return { rows, cols };
}

/** Dispatch size for the two row-wise variants: a workgroup per row, or 64 rows per workgroup. */
export function rowWorkgroups(gpu: Gpu, variant: VariantClass, rows: number): [number, number] {
  return gpu.grid(variant === 'gpu' ? rows : Math.ceil(rows / 64));
}
