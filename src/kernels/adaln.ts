// adaLN modulation and gated residuals of diffusion transformers (MDLM's DDiT): per-row broadcast of
// one conditioning vector. See shaders/adaln.wgsl.

import code from '../../shaders/adaln.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import { numel, type Tensor } from '../gpu/tensor.ts';
import { expectDType, expectShape } from './checks.ts';
import { rowsOf } from './rows.ts';

function launch(gpu: Gpu, entry: 'modulate' | 'gated_add', x: Tensor, a: Tensor, b: Tensor, label: string): Tensor {
  const { cols } = rowsOf(label, x);
  for (const t of [x, a, b]) expectDType(label, t, 'f32');
  expectShape(label, a, [cols]);
  expectShape(label, b, entry === 'modulate' ? [cols] : x.shape);
  const n = numel(x.shape);
  const out = gpu.empty(x.shape, 'f32', label); // [R, C]
  gpu.run({
    label,
    code,
    entryPoint: entry,
    params: { n, cols },
    bindings: [x, out, a, b],
    workgroups: gpu.grid(Math.ceil(n / 256)),
  });
  return out;
}

/** x · (1 + scale) + shift, with shift and scale [C] broadcast over the rows of x [..., C]. */
export function modulate(gpu: Gpu, x: Tensor, shift: Tensor, scale: Tensor, label = 'modulate'): Tensor {
  return launch(gpu, 'modulate', x, shift, scale, label);
}

/** x + gate ⊙ y, with gate [C] broadcast over the rows of x and y [..., C]. */
export function gatedAdd(gpu: Gpu, x: Tensor, gate: Tensor, y: Tensor, label = 'gated_add'): Tensor {
  return launch(gpu, 'gated_add', x, gate, y, label);
}
