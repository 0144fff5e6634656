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

export interface ImageGolden {
  tokens: Int32Array[]; // S sequences of L ids (the mask id where masked; AR: class token first)
  classes: Int32Array; // [S] the class of each sequence (the null class for guidance's other half)
  logits: Float32Array[]; // S × [L, K]
  width: number; // K: logits per token
}

/** The fixtures train/golden_image.py writes for the image-token generators. */
export async function readImageGolden(dir: string): Promise<ImageGolden> {
  const src = await nodeFolder(dir).open('golden.safetensors');
  if (!src) throw new Error(`${dir}/golden.safetensors is missing`);
  const f = await openSafetensors(src);
  const tokens = await f.readTensor('tokens');
  const classes = await f.readTensor('classes');
  const logits = await f.readTensor('logits');
  const [S, L] = tokens.shape;
  const K = logits.shape[2];
  const t = tokens.data as Int32Array;
  const l = logits.data as Float32Array;
  return {
    tokens: Array.from({ length: S }, (_, s) => t.slice(s * L, (s + 1) * L)),
    classes: classes.data as Int32Array,
    logits: Array.from({ length: S }, (_, s) => l.slice(s * L * K, (s + 1) * L * K)),
    width: K,
  };
}
