// add / mul of two f32 tensors, with b broadcast over leading dimensions when it matches a's
// trailing dimensions (a bias [C] over [T, C]). See shaders/elementwise.wgsl.

import code from '../../shaders/elementwise.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import { numel, type Tensor } from '../gpu/tensor.ts';
import { expectDType, fail } from './checks.ts';

type BinaryOp = 'add' | 'mul';

function binary(gpu: Gpu, op: BinaryOp, a: Tensor, b: Tensor, label: string): Tensor {
  expectDType(op, a, 'f32');
  expectDType(op, b, 'f32');
  const n = numel(a.shape);
  const nb = numel(b.shape);
  const trailing = a.shape.slice(a.shape.length - b.shape.length);
  if (nb === 0 || b.shape.length > a.shape.length || trailing.some((d, i) => d !== b.shape[i])) {
    fail(op, `b ${JSON.stringify(b.shape)} does not broadcast to a ${JSON.stringify(a.shape)}`);
  }
  const out = gpu.empty(a.shape, 'f32', label); // same shape as a
  gpu.run({
    label,
    code,
    entryPoint: op,
    params: { n, nb },
    bindings: [a, b, out],
    workgroups: gpu.grid(Math.ceil(n / 256)),
  });
  return out;
}

/** out = a + b (b broadcast over a's leading dimensions). */
export function add(gpu: Gpu, a: Tensor, b: Tensor, label = 'add'): Tensor {
  return binary(gpu, 'add', a, b, label);
}

/** out = a ⊙ b (b broadcast over a's leading dimensions). */
export function mul(gpu: Gpu, a: Tensor, b: Tensor, label = 'mul'): Tensor {
  return binary(gpu, 'mul', a, b, label);
}
