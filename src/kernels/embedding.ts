// Embedding lookup: rows of a table gathered by token id. Learned position embeddings are the same
// gather with position ids. See shaders/embedding.wgsl.

import code from '../../shaders/embedding.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt, expectRank } from './checks.ts';

/** out[t] = table[ids[t]] for ids [T] (i32) and table [V, C] (f32) → [T, C]. Ids live on the GPU,
 *  so they cannot be checked here: an id outside [0, V) yields a row of zeros, never a stray read. */
export function embedding(gpu: Gpu, ids: Tensor, table: Tensor, label = 'embedding'): Tensor {
  expectDType('embedding', ids, 'i32');
  expectDType('embedding', table, 'f32');
  expectRank('embedding', ids, 1);
  expectRank('embedding', table, 2);
  const [T] = ids.shape;
  const [V, C] = table.shape;
  expectPositiveInt('embedding', 'T', T);
  expectPositiveInt('embedding', 'V', V);
  expectPositiveInt('embedding', 'C', C);
  const out = gpu.empty([T, C], 'f32', label); // [T, C]
  gpu.run({
    label,
    code,
    params: { n: T * C, cols: C, vocab: V },
    bindings: [ids, table, out],
    workgroups: gpu.grid(Math.ceil((T * C) / 256)),
  });
  return out;
}
