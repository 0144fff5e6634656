// Input checks shared by the forward passes: token ids inside the vocabulary and room in the cache.

import { badInput } from '../shared/errors.ts';
import type { KvCache } from './kvCache.ts';

export function checkForward(ids: Int32Array, cache: KvCache, vocabSize: number): void {
  if (ids.length === 0) throw badInput('no tokens to run');
  for (const id of ids) {
    if (!(id >= 0 && id < vocabSize)) {
      throw badInput(`token id ${id} is outside the vocabulary (0 … ${vocabSize - 1})`);
    }
  }
  cache.reserve(ids.length);
}
