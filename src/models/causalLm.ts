// What an autoregressive language model offers the samplers: a forward pass over new tokens that
// appends to a KV cache and returns logits. Architectures (gpt2.ts, llama.ts) implement it.

import type { Tensor } from '../gpu/tensor.ts';
import type { KvCache } from './kvCache.ts';

export interface CausalLm {
  readonly architecture: string; // model_type, e.g. "gpt2"
  readonly vocabSize: number; // logits per position
  readonly contextLength: number; // longest sequence the model supports
  readonly eosTokenIds: number[]; // generation stops at any of these
  readonly weightBytes: number; // GPU bytes held by the weights

  /** A cache for up to `capacity` positions (≤ contextLength). */
  newCache(capacity: number): KvCache;

  /**
   * Runs `ids` (the next T tokens) at positions cache.length … cache.length+T−1, appends their keys and
   * values to the cache and returns logits [T, V] — or [1, V] for the last position only when
   * `lastOnly` (decoding). The caller releases the returned tensor.
   */
  forward(ids: Int32Array, cache: KvCache, options?: { lastOnly?: boolean }): Tensor;

  dispose(): void;
}
