// Z-order (Morton) reordering of a 2-D token grid into a 1-D sequence and back, so that consecutive
// blocks of 4^k tokens are square 2^k × 2^k patches: the layout LLSA and block top-K attention need
// for their 1-D block pooling to pool square image patches (algorithms.md §1.3). Gather kernels that
// compute the index maps from bits (shaders/morton.wgsl); `mortonPermutation` gives the same map on
// the host (for drawing which patches a block covers).

import code from '../../shaders/morton.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import { numel, type Tensor } from '../gpu/tensor.ts';
import { expectDType, fail } from './checks.ts';

export interface GridSize {
  height: number; // H: rows of tokens, a power of two
  width: number; // W: columns of tokens, a power of two
}

function log2Exact(kernel: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1 || (v & (v - 1)) !== 0) fail(kernel, `${name} must be a power of two, got ${v}`);
  return Math.log2(v);
}

function reorder(gpu: Gpu, x: Tensor, grid: GridSize, entryPoint: 'to_morton' | 'from_morton', label: string): Tensor {
  const kernel = 'morton';
  expectDType(kernel, x, 'f32');
  const log2h = log2Exact(kernel, 'height', grid.height);
  const log2w = log2Exact(kernel, 'width', grid.width);
  const tokens = grid.height * grid.width;
  if (x.shape.length < 1 || x.shape[0] !== tokens) {
    fail(
      kernel,
      `${x.label} has shape ${JSON.stringify(x.shape)}: expected ${tokens} = ${grid.height}×${grid.width} tokens first`,
    );
  }
  const n = numel(x.shape);
  const out = gpu.empty(x.shape, 'f32', label); // same shape as x: [H·W, …]
  gpu.run({
    label,
    code,
    entryPoint,
    params: { log2h, log2w, cols: n / tokens },
    bindings: [x, out],
    workgroups: gpu.grid(Math.ceil(n / 256)),
  });
  return out;
}

/** Raster order → Z order: x [H·W, …] (token y·W + x first) → out [H·W, …] with out[j] = x[raster(j)]. */
export function toMortonOrder(gpu: Gpu, x: Tensor, grid: GridSize, label = 'morton'): Tensor {
  return reorder(gpu, x, grid, 'to_morton', label);
}

/** Z order → raster order, the inverse of toMortonOrder. */
export function fromMortonOrder(gpu: Gpu, x: Tensor, grid: GridSize, label = 'morton.inverse'): Tensor {
  return reorder(gpu, x, grid, 'from_morton', label);
}

/** perm[j] = the raster index (y·W + x) of the token at Z-order position j. */
export function mortonPermutation(grid: GridSize): Int32Array {
  const log2h = log2Exact('morton', 'height', grid.height);
  const log2w = log2Exact('morton', 'width', grid.width);
  const m = Math.min(log2h, log2w);
  const perm = new Int32Array(grid.height * grid.width);
  for (let j = 0; j < perm.length; j++) {
    let y = 0;
    let x = 0;
    for (let t = 0; t < m; t++) {
      x |= ((j >> (2 * t)) & 1) << t;
      y |= ((j >> (2 * t + 1)) & 1) << t;
    }
    const high = j >> (2 * m);
    if (log2w > log2h) x |= high << m;
    else y |= high << m;
    perm[j] = y * grid.width + x;
  }
  return perm;
}
