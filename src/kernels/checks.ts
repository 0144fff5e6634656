// Argument checks shared by the kernel wrappers. A failed check is a bug in the caller (a model
// or the engine), so it raises an internal error that names the kernel and the offending shapes.

import { StepwiseError } from '../shared/errors.ts';
import type { DType, Tensor } from '../gpu/tensor.ts';

export function fail(kernel: string, message: string): never {
  throw new StepwiseError('internal', `${kernel}: ${message}`);
}

export function expectDType(kernel: string, t: Tensor, dtype: DType): void {
  if (t.dtype !== dtype) fail(kernel, `${t.label} is ${t.dtype}, expected ${dtype}`);
}

export function expectRank(kernel: string, t: Tensor, rank: number): void {
  if (t.shape.length !== rank) fail(kernel, `${t.label} has shape ${JSON.stringify(t.shape)}, expected rank ${rank}`);
}

export function expectShape(kernel: string, t: Tensor, shape: readonly number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    fail(kernel, `${t.label} has shape ${JSON.stringify(t.shape)}, expected ${JSON.stringify(shape)}`);
  }
}

export function expectPositiveInt(kernel: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) fail(kernel, `${name} must be a positive integer, got ${v}`);
}

export function expectEps(kernel: string, eps: number): void {
  if (!(Number.isFinite(eps) && eps > 0)) fail(kernel, `eps must be a positive finite number, got ${eps}`);
}
