// Key/value cache for causal decoding: per layer, keys and values of every position seen so far, in
// the attention kernel's layout [capacity, Hkv, D]. Stays on the GPU; `fork` copies the first n
// positions into a new cache, which is how a branch re-uses everything before its step.

import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { StepwiseError } from '../shared/errors.ts';

export interface KvShape {
  layers: number;
  kvHeads: number;
  headDim: number;
}

export class KvCache {
  length = 0; // positions filled
  readonly keys: Tensor[]; // per layer [capacity, Hkv, D]
  readonly values: Tensor[]; // per layer [capacity, Hkv, D]

  constructor(
    private readonly gpu: Gpu,
    readonly shape: KvShape,
    readonly capacity: number,
  ) {
    const dims = [capacity, shape.kvHeads, shape.headDim];
    this.keys = Array.from({ length: shape.layers }, (_, l) => gpu.empty(dims, 'f32', `kv.k.${l}`));
    this.values = Array.from({ length: shape.layers }, (_, l) => gpu.empty(dims, 'f32', `kv.v.${l}`));
  }

  get bytes(): number {
    return 2 * this.shape.layers * this.capacity * this.shape.kvHeads * this.shape.headDim * 4;
  }

  /** Checks that T more positions fit. */
  reserve(t: number): void {
    if (this.length + t > this.capacity) {
      throw new StepwiseError(
        'bad-input',
        `the sequence would reach ${this.length + t} tokens, more than the ${this.capacity} this cache holds`,
        'shorten the prompt or the number of tokens to generate',
      );
    }
  }

  /** Writes k and v rows [T, Hkv, D] of one layer at positions length … length+T−1. */
  write(layer: number, k: Tensor, v: Tensor, t: number): void {
    const row = this.shape.kvHeads * this.shape.headDim;
    this.gpu.copy(k, 0, this.keys[layer], this.length * row, t * row);
    this.gpu.copy(v, 0, this.values[layer], this.length * row, t * row);
  }

  /** A new cache holding this cache's first n positions. */
  fork(n: number, capacity = this.capacity): KvCache {
    const c = new KvCache(this.gpu, this.shape, capacity);
    const row = this.shape.kvHeads * this.shape.headDim;
    const keep = Math.min(n, this.length);
    for (let l = 0; l < this.shape.layers; l++) {
      this.gpu.copy(this.keys[l], 0, c.keys[l], 0, keep * row);
      this.gpu.copy(this.values[l], 0, c.values[l], 0, keep * row);
    }
    c.length = keep;
    return c;
  }

  release(): void {
    for (const t of [...this.keys, ...this.values]) t.release();
  }
}
