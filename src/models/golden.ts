// Reading the golden fixtures that train/golden_text.py, golden_image.py and titok_golden.py write
// (inputs and outputs of the PyTorch implementations), for the model tests.

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

export interface TitokTrajectory {
  classId: number;
  guidanceScale: number;
  steps: number;
  softmaxTemperatureAnnealing: boolean;
  tokens: Int32Array[]; // [steps] × [L]: the ids after each step
}

export interface TitokGeneratorGolden {
  classId: number; // the condition of the logits cases
  scales: Float32Array; // [2] the guidance scale of steps 0 and 1
  ids: Int32Array[]; // [2] × [L] the tokens going into steps 0 and 1 (K = masked)
  cond: Float32Array[]; // [2] × [L, K]
  uncond: Float32Array[]; // [2] × [L, K] with the class dropped
  guided: Float32Array[]; // [2] × [L, K] cond + (cond − uncond) · scale
  trajectories: Record<'constant' | 'linear' | 'power-cosine', TitokTrajectory>; // noiseless generate() runs
}

/** The fixtures train/titok_golden.py writes for the TiTok generator (ImageBert). */
export async function readTitokGeneratorGolden(dir: string): Promise<TitokGeneratorGolden> {
  const src = await nodeFolder(dir).open('golden.safetensors');
  if (!src) throw new Error(`${dir}/golden.safetensors is missing`);
  const f = await openSafetensors(src);
  const rows = async <A extends Float32Array | Int32Array>(name: string): Promise<A[]> => {
    const a = (await f.readTensor(name)).data as A;
    const n = f.info(name).shape[0];
    return Array.from({ length: n }, (_, i) => a.slice((i * a.length) / n, ((i + 1) * a.length) / n) as A);
  };
  const settings = await rows<Float32Array>('trajectory_settings'); // [3] × (class, scale, steps, annealing)
  const trajectory = async (name: string, s: Float32Array): Promise<TitokTrajectory> => ({
    classId: s[0],
    guidanceScale: s[1],
    steps: s[2],
    softmaxTemperatureAnnealing: s[3] === 1,
    tokens: await rows<Int32Array>(`trajectory_${name}`),
  });
  return {
    classId: ((await f.readTensor('logits_class')).data as Int32Array)[0],
    scales: (await f.readTensor('logits_scale')).data as Float32Array,
    ids: await rows<Int32Array>('logits_ids'),
    cond: await rows<Float32Array>('logits_cond'),
    uncond: await rows<Float32Array>('logits_uncond'),
    guided: await rows<Float32Array>('logits_guided'),
    trajectories: {
      constant: await trajectory('constant', settings[0]),
      linear: await trajectory('linear', settings[1]),
      'power-cosine': await trajectory('power_cosine', settings[2]),
    },
  };
}
