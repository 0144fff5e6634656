// Elementwise activations (GELU in its tanh and exact forms, tanh, SiLU, scaling) and SwiGLU, separate or fused. All keep the input's
// shape except the fused SwiGLU, which halves the last dimension. See shaders/unary.wgsl.

import code from '../../shaders/unary.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import { numel, type Tensor } from '../gpu/tensor.ts';
import { expectDType, expectShape, fail } from './checks.ts';

type Entry = 'gelu' | 'gelu_erf' | 'tanh_op' | 'silu' | 'scale' | 'swiglu' | 'swiglu_fused';

interface Extras {
  alpha?: number; // factor of `scale`
  inner?: number; // F, the half width of a fused SwiGLU input
  up?: Tensor; // SwiGLU's second input, bound after out (binding 3)
}

function launch(
  gpu: Gpu,
  entry: Entry,
  label: string,
  x: Tensor,
  outShape: readonly number[],
  extra: Extras = {},
): Tensor {
  const n = numel(outShape);
  if (n < 1) fail(label, `${x.label} ${JSON.stringify(x.shape)} is empty`);
  const out = gpu.empty(outShape, 'f32', label); // outShape: x's, or [..., F] for the fused SwiGLU
  gpu.run({
    label,
    code,
    entryPoint: entry,
    params: { n, alpha: extra.alpha ?? 1, inner: extra.inner ?? 1 },
    bindings: extra.up ? [x, out, extra.up] : [x, out],
    workgroups: gpu.grid(Math.ceil(n / 256)),
  });
  return out;
}

/** GPT-2's tanh-approximated GELU: 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))). */
export function gelu(gpu: Gpu, x: Tensor, label = 'gelu'): Tensor {
  expectDType(label, x, 'f32');
  return launch(gpu, 'gelu', label, x, x.shape);
}

/** The exact GELU, x · Φ(x) = 0.5 · x · (1 + erf(x / √2)): torch.nn.GELU() and BERT's "gelu". */
export function geluExact(gpu: Gpu, x: Tensor, label = 'gelu_erf'): Tensor {
  expectDType(label, x, 'f32');
  return launch(gpu, 'gelu_erf', label, x, x.shape);
}

/** tanh(x). */
export function tanh(gpu: Gpu, x: Tensor, label = 'tanh'): Tensor {
  expectDType(label, x, 'f32');
  return launch(gpu, 'tanh_op', label, x, x.shape);
}

/** x · sigmoid(x). */
export function silu(gpu: Gpu, x: Tensor, label = 'silu'): Tensor {
  expectDType(label, x, 'f32');
  return launch(gpu, 'silu', label, x, x.shape);
}

/** alpha · x. */
export function scale(gpu: Gpu, x: Tensor, alpha: number, label = 'scale'): Tensor {
  expectDType(label, x, 'f32');
  if (!Number.isFinite(alpha)) fail(label, `alpha must be finite, got ${alpha}`);
  return launch(gpu, 'scale', label, x, x.shape, { alpha });
}

/** silu(gate) ⊙ up, for gate and up of the same shape. */
export function swiglu(gpu: Gpu, gate: Tensor, up: Tensor, label = 'swiglu'): Tensor {
  expectDType(label, gate, 'f32');
  expectDType(label, up, 'f32');
  expectShape(label, up, gate.shape);
  return launch(gpu, 'swiglu', label, gate, gate.shape, { up });
}

/** SwiGLU of one tensor x [..., 2F] holding the gate in its first F columns and up in its last F:
 *  out [..., F] = silu(x[..., :F]) ⊙ x[..., F:]. */
export function swigluFused(gpu: Gpu, x: Tensor, label = 'swiglu'): Tensor {
  expectDType(label, x, 'f32');
  const width = x.shape[x.shape.length - 1];
  if (x.shape.length < 1 || width % 2 !== 0) {
    fail(label, `${x.label} ${JSON.stringify(x.shape)} needs an even last dimension (gate and up halves)`);
  }
  const inner = width / 2;
  return launch(gpu, 'swiglu_fused', label, x, [...x.shape.slice(0, -1), inner], { inner });
}
