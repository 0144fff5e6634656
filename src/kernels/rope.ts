// Rotary position embedding over [T, H, D], in the rotate-half (Llama / HF / MDLM) or interleaved
// (GPT-J / RoFormer) layout, with partial rotation and a position offset for KV-cache decoding.
// cos/sin come from a table built once per model in float64 (see shaders/rope.wgsl for why).

import code from '../../shaders/rope.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt, expectRank, expectShape, fail } from './checks.ts';

/** Which dims form a rotated pair: (i, i + R/2) or (2i, 2i + 1). */
export type RopeLayout = 'rotate-half' | 'interleaved';

export interface RopeTableOptions {
  maxPos: number; // positions 0 … maxPos − 1 the table covers (the model's context length)
  rotaryDim: number; // R: leading dims of each head that rotate (even); the rest pass through
  theta?: number; // base θ of inv_freq[i] = θ^(−2i/R), the config's rope_theta; default 10000
}

export interface RopeTable {
  table: Tensor; // [maxPos, R/2, 2]: cos and sin of p · inv_freq[i]
  maxPos: number;
  rotaryDim: number;
  theta: number;
}

export interface RopeOptions {
  pos0?: number; // position of row 0, i.e. tokens already in the KV cache; default 0
  positions?: Tensor; // i32 [T]: row t's position (overrides pos0); values must be < the table's maxPos
  layout?: RopeLayout; // default 'rotate-half'
}

/** Builds the cos/sin table in float64 and uploads it once; it lives until `table.release()`. */
export function ropeTable(gpu: Gpu, options: RopeTableOptions, label = 'rope.table'): RopeTable {
  const { maxPos, rotaryDim } = options;
  const theta = options.theta ?? 10000;
  expectPositiveInt('rope', 'maxPos', maxPos);
  expectPositiveInt('rope', 'rotaryDim', rotaryDim);
  if (rotaryDim % 2 !== 0) fail('rope', `rotaryDim must be even, got ${rotaryDim}`);
  if (!(Number.isFinite(theta) && theta > 0)) fail('rope', `theta must be a positive number, got ${theta}`);
  const half = rotaryDim / 2;
  const invFreq = Array.from({ length: half }, (_, i) => Math.pow(theta, (-2 * i) / rotaryDim));
  const data = new Float32Array(maxPos * half * 2); // [maxPos, R/2, 2]
  for (let p = 0; p < maxPos; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * invFreq[i];
      data[(p * half + i) * 2] = Math.cos(angle);
      data[(p * half + i) * 2 + 1] = Math.sin(angle);
    }
  }
  return { table: gpu.persistent(data, [maxPos, half, 2], label), maxPos, rotaryDim, theta };
}

/** Rotates x [T, H, D] (f32, D even) at positions pos0 … pos0 + T − 1 → a new [T, H, D] tensor. */
export function rope(gpu: Gpu, x: Tensor, rt: RopeTable, options: RopeOptions = {}, label = 'rope'): Tensor {
  const pos0 = options.pos0 ?? 0;
  const layout = options.layout ?? 'rotate-half';
  expectDType('rope', x, 'f32');
  expectRank('rope', x, 3);
  expectDType('rope', rt.table, 'f32');
  expectShape('rope', rt.table, [rt.maxPos, rt.rotaryDim / 2, 2]);
  const [T, H, D] = x.shape;
  expectPositiveInt('rope', 'T', T);
  expectPositiveInt('rope', 'H', H);
  expectPositiveInt('rope', 'D', D);
  if (D % 2 !== 0) fail('rope', `head dim D must be even, got ${D}`);
  if (rt.rotaryDim > D) fail('rope', `rotaryDim ${rt.rotaryDim} exceeds the head dim ${D}`);
  if (!Number.isInteger(pos0) || pos0 < 0) fail('rope', `pos0 must be a non-negative integer, got ${pos0}`);
  if (pos0 + T > rt.maxPos) fail('rope', `positions up to ${pos0 + T - 1} exceed the table's ${rt.maxPos}`);
  if (layout !== 'rotate-half' && layout !== 'interleaved') fail('rope', `unknown layout "${String(layout)}"`);
  if (options.positions) {
    expectDType('rope', options.positions, 'i32');
    expectShape('rope', options.positions, [T]);
  }
  const n = (T * H * D) / 2;
  const out = gpu.empty(x.shape, 'f32', label); // [T, H, D]
  gpu.run({
    label,
    code,
    entryPoint: layout === 'rotate-half' ? 'rotate_half' : 'interleaved',
    params: { n, heads: H, dim: D, rotary: rt.rotaryDim, pos0, has_positions: options.positions ? 1 : 0 },
    // Without positions, x stands in for the unused binding (layout 'auto' wants every declared one).
    bindings: [x, rt.table, out, options.positions ?? x],
    workgroups: gpu.grid(Math.ceil(n / 256)),
  });
  return out;
}
