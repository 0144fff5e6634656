// nn.Linear and nn.LayerNorm weights as PyTorch stores them (Linear: weight [out, in], bias [out]),
// applied as x · Wᵀ + b with the transposed-B matmul. Shared by TiTok's ViTs and ImageBert.

import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { layerNorm } from '../kernels/layernorm.ts';
import { matmul } from '../kernels/matmul.ts';
import type { WeightLoader } from './weights.ts';

export interface TorchLinear {
  w: Tensor; // [out, in]
  b: Tensor; // [out]
  label: string; // the checkpoint name without .weight / .bias
}

export interface TorchNorm {
  w: Tensor; // [C]
  b: Tensor; // [C]
  label: string;
}

export async function loadTorchLinear(w: WeightLoader, name: string, nIn: number, nOut: number): Promise<TorchLinear> {
  return { w: await w.tensor(`${name}.weight`, [nOut, nIn]), b: await w.tensor(`${name}.bias`, [nOut]), label: name };
}

export async function loadTorchNorm(w: WeightLoader, name: string, C: number): Promise<TorchNorm> {
  return { w: await w.tensor(`${name}.weight`, [C]), b: await w.tensor(`${name}.bias`, [C]), label: name };
}

/** x [T, in] → x · Wᵀ + b [T, out]. */
export function linear(gpu: Gpu, x: Tensor, l: TorchLinear): Tensor {
  return matmul(gpu, x, l.w, { transB: true, bias: l.b, label: l.label });
}

/** LayerNorm over the last dimension of x [T, C]. */
export function norm(gpu: Gpu, x: Tensor, n: TorchNorm, eps: number): Tensor {
  return layerNorm(gpu, x, n.w, n.b, { eps, label: n.label });
}
