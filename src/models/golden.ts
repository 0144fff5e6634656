// Reading the golden fixtures that train/golden_text.py writes (tokens, logits, greedy continuations
// from the PyTorch implementation), for the model tests.

import { nodeFolder } from '../formats/nodeFolder.ts';
import { openSafetensors } from '../formats/safetensors.ts';

export interface Golden {
  tokens: Int32Array[]; // S sequences of T ids
  logits: Float32Array[]; // S × [T, V]
  greedy: Int32Array[]; // S continuations of G ids
  vocab: number;
}

export async function readGolden(dir: string): Promise<Golden> {
  const src = await nodeFolder(dir).open('golden.safetensors');
  if (!src) throw new Error(`${dir}/golden.safetensors is missing`);
  const f = await openSafetensors(src);
  const tokens = await f.readTensor('tokens');
  const logits = await f.readTensor('logits');
  const greedy = await f.readTensor('greedy');
  const [S, T] = tokens.shape;
  const V = logits.shape[2];
  const G = greedy.shape[1];
  const rows = <A extends Int32Array | Float32Array>(a: A, n: number): A[] =>
    Array.from({ length: S }, (_, s) => a.slice(s * n, (s + 1) * n) as A);
  return {
    tokens: rows(tokens.data as Int32Array, T),
    logits: rows(logits.data as Float32Array, T * V),
    greedy: rows(greedy.data as Int32Array, G),
    vocab: V,
  };
}
