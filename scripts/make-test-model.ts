// Writes a tiny GPT-2-shaped model folder for tests and demos — config.json, model.safetensors with the
// real GPT-2 tensor names (Conv1D [in, out] layout, f16, seeded random values, plus the h.{i}.attn.bias
// mask buffers real checkpoints carry) and a byte-level BPE tokenizer.json — and, on request, broken
// variants of it, one defect each, to exercise the loaders' error messages.
//
//   node --import tsx scripts/make-test-model.ts <dir> [--broken KIND] [--seed N] [--shards N]
//
// The functions are exported so tests build folders in a temp dir without spawning a process.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Rng } from '../src/shared/rng.ts';
import { tinyTokenizerJson, tinyVocabSize } from '../src/formats/testing.ts';
import { encodeSafetensors, writeSafetensors, type WritableTensor } from '../src/formats/safetensorsWriter.ts';

export interface TestModelOptions {
  nLayer?: number; // transformer blocks (default 2)
  nEmbd?: number; // width (default 32)
  nHead?: number; // heads (default 4)
  nPositions?: number; // context length (default 64)
  seed?: number; // RNG seed for the weights (default 1)
  shards?: number; // > 1: split the weights into this many shards plus model.safetensors.index.json
}

export type ModelFiles = Record<string, Uint8Array>;

const json = (v: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);

/** GPT-2 tensors in checkpoint order, f16. */
export function gpt2Tensors(
  o: Required<Omit<TestModelOptions, 'shards'>>,
  vocabSize: number,
): Record<string, WritableTensor> {
  const rng = new Rng(o.seed);
  const n = o.nEmbd;
  const inner = 4 * n;
  const P = o.nPositions;
  const t: Record<string, WritableTensor> = {};
  const normal = (shape: number[], scale: number, mean = 0): WritableTensor => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = mean + scale * rng.normal();
    return { dtype: 'F16', shape, data };
  };
  t['wte.weight'] = normal([vocabSize, n], 0.02);
  t['wpe.weight'] = normal([P, n], 0.01);
  for (let i = 0; i < o.nLayer; i++) {
    const h = `h.${i}`;
    t[`${h}.ln_1.weight`] = normal([n], 0.1, 1);
    t[`${h}.ln_1.bias`] = normal([n], 0.1);
    // The causal-mask buffer of transformers' GPT2Attention: tril(ones(P, P)) viewed [1, 1, P, P].
    const mask = new Float32Array(P * P);
    for (let r = 0; r < P; r++) for (let c = 0; c <= r; c++) mask[r * P + c] = 1;
    t[`${h}.attn.bias`] = { dtype: 'F16', shape: [1, 1, P, P], data: mask };
    t[`${h}.attn.c_attn.weight`] = normal([n, 3 * n], 0.02); // Conv1D: [in, out], q | k | v along out
    t[`${h}.attn.c_attn.bias`] = normal([3 * n], 0.02);
    t[`${h}.attn.c_proj.weight`] = normal([n, n], 0.02);
    t[`${h}.attn.c_proj.bias`] = normal([n], 0.02);
    t[`${h}.ln_2.weight`] = normal([n], 0.1, 1);
    t[`${h}.ln_2.bias`] = normal([n], 0.1);
    t[`${h}.mlp.c_fc.weight`] = normal([n, inner], 0.02);
    t[`${h}.mlp.c_fc.bias`] = normal([inner], 0.02);
    t[`${h}.mlp.c_proj.weight`] = normal([inner, n], 0.02);
    t[`${h}.mlp.c_proj.bias`] = normal([n], 0.02);
  }
  t['ln_f.weight'] = normal([n], 0.1, 1);
  t['ln_f.bias'] = normal([n], 0.1);
  return t;
}

/** The files of a tiny GPT-2 model folder, in memory. */
export function makeTestModelFiles(options: TestModelOptions = {}): ModelFiles {
  const o = { nLayer: 2, nEmbd: 32, nHead: 4, nPositions: 64, seed: 1, ...options };
  const specialTokens = ['<|endoftext|>'];
  const vocabSize = tinyVocabSize({ specialTokens });
  const eos = vocabSize - 1;
  const config = {
    activation_function: 'gelu_new',
    architectures: ['GPT2LMHeadModel'],
    attn_pdrop: 0.1,
    bos_token_id: eos,
    embd_pdrop: 0.1,
    eos_token_id: eos,
    initializer_range: 0.02,
    layer_norm_epsilon: 1e-5,
    model_type: 'gpt2',
    n_ctx: o.nPositions,
    n_embd: o.nEmbd,
    n_head: o.nHead,
    n_inner: null,
    n_layer: o.nLayer,
    n_positions: o.nPositions,
    resid_pdrop: 0.1,
    torch_dtype: 'float16',
    vocab_size: vocabSize,
    stepwise: { task: 'text-generation' },
  };
  const files: ModelFiles = {
    'config.json': json(config),
    'tokenizer.json': json(tinyTokenizerJson({ specialTokens })),
    'tokenizer_config.json': json({
      eos_token: '<|endoftext|>',
      bos_token: '<|endoftext|>',
      model_max_length: o.nPositions,
    }),
  };
  const tensors = gpt2Tensors(o, vocabSize);
  const shards = Math.max(1, Math.trunc(options.shards ?? 1));
  if (shards === 1) {
    files['model.safetensors'] = writeSafetensors(tensors, { format: 'pt' });
    return files;
  }
  const names = Object.keys(tensors);
  const per = Math.ceil(names.length / shards);
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  for (let s = 0; s < shards; s++) {
    const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part: Record<string, WritableTensor> = {};
    for (const name of names.slice(s * per, (s + 1) * per)) {
      part[name] = tensors[name];
      weightMap[name] = file;
      totalSize += tensors[name].data.length * 2;
    }
    files[file] = writeSafetensors(part, { format: 'pt' });
  }
  files['model.safetensors.index.json'] = json({ metadata: { total_size: totalSize }, weight_map: weightMap });
  return files;
}

/** One defect each; see breakModelFiles. */
export const BROKEN_KINDS = [
  'truncated', // model.safetensors cut in the middle of the data
  'empty-weights', // model.safetensors is 0 bytes
  'short-weights', // model.safetensors is 7 bytes
  'huge-header', // header length larger than the file
  'bad-header', // header is not JSON
  'bad-dtype', // a tensor with dtype "Q4"
  'overlap', // two tensors share bytes
  'reversed-offsets', // data_offsets [end, begin]
  'shape-mismatch', // shape × dtype ≠ the span of data_offsets
  'nan-weights', // a valid file whose ln_f.weight holds NaN and Inf (a warning, not an error)
  'missing-config',
  'missing-weights',
  'missing-tokenizer',
  'bad-config', // n_head does not divide n_embd
  'config-not-json',
  'unknown-model-type',
  'bad-tokenizer', // tokenizer.json without "model"
  'tokenizer-not-json',
] as const;

export type BrokenKind = (typeof BROKEN_KINDS)[number];

/** A copy of `files` (single-file checkpoint) with one defect. */
export function breakModelFiles(files: ModelFiles, kind: BrokenKind): ModelFiles {
  const out = { ...files };
  const weights = files['model.safetensors'];
  const editHeader = (edit: (h: Record<string, Record<string, unknown>>) => void): void => {
    const { header, data } = splitSafetensors(weights);
    edit(header);
    out['model.safetensors'] = encodeSafetensors(header, data);
  };
  const editConfig = (edit: (c: Record<string, unknown>) => void): void => {
    const c = JSON.parse(new TextDecoder().decode(files['config.json'])) as Record<string, unknown>;
    edit(c);
    out['config.json'] = json(c);
  };
  const firstTensors = (h: Record<string, Record<string, unknown>>) =>
    Object.keys(h).filter((k) => k !== '__metadata__');
  switch (kind) {
    case 'truncated': {
      const { header } = splitSafetensors(weights);
      const headerEnd = weights.byteLength - dataLength(header);
      out['model.safetensors'] = weights.slice(0, headerEnd + Math.floor(dataLength(header) / 2));
      break;
    }
    case 'empty-weights':
      out['model.safetensors'] = new Uint8Array(0);
      break;
    case 'short-weights':
      out['model.safetensors'] = weights.slice(0, 7);
      break;
    case 'huge-header': {
      const w = weights.slice();
      new DataView(w.buffer).setUint32(0, w.byteLength + 100, true);
      out['model.safetensors'] = w;
      break;
    }
    case 'bad-header': {
      const { data } = splitSafetensors(weights);
      out['model.safetensors'] = encodeSafetensors(null, data, '{"wte.weight": {"dtype": "F16", "shape": [');
      break;
    }
    case 'bad-dtype':
      editHeader((h) => {
        h[firstTensors(h)[0]].dtype = 'Q4';
      });
      break;
    case 'overlap':
      editHeader((h) => {
        const [a, b] = firstTensors(h).filter((k) => k.endsWith('.ln_1.weight') || k.endsWith('.ln_1.bias'));
        h[b].data_offsets = h[a].data_offsets;
      });
      break;
    case 'reversed-offsets':
      editHeader((h) => {
        const e = h['ln_f.weight'];
        e.data_offsets = [...(e.data_offsets as number[])].reverse();
      });
      break;
    case 'shape-mismatch':
      editHeader((h) => {
        const e = h['ln_f.weight'];
        e.shape = [(e.shape as number[])[0] + 1];
      });
      break;
    case 'nan-weights': {
      const { header, data } = splitSafetensors(weights);
      const [begin] = header['ln_f.weight'].data_offsets as number[];
      const d = data.slice();
      d.set([0x00, 0x7e, 0x00, 0x7c, 0x00, 0xfc], begin); // f16 NaN, +Inf, −Inf
      out['model.safetensors'] = encodeSafetensors(header, d);
      break;
    }
    case 'missing-config':
      delete out['config.json'];
      break;
    case 'missing-weights':
      delete out['model.safetensors'];
      break;
    case 'missing-tokenizer':
      delete out['tokenizer.json'];
      break;
    case 'bad-config':
      editConfig((c) => {
        c.n_head = 5;
      });
      break;
    case 'config-not-json':
      out['config.json'] = new TextEncoder().encode('{"model_type": "gpt2", n_layer: 2}');
      break;
    case 'unknown-model-type':
      editConfig((c) => {
        c.model_type = 'mamba';
      });
      break;
    case 'bad-tokenizer': {
      const t = JSON.parse(new TextDecoder().decode(files['tokenizer.json'])) as Record<string, unknown>;
      delete t.model;
      out['tokenizer.json'] = json(t);
      break;
    }
    case 'tokenizer-not-json':
      out['tokenizer.json'] = new TextEncoder().encode('version: 1.0\nmodel: BPE\n');
      break;
  }
  return out;
}

/** Header object and data section of a well-formed safetensors file (no validation: tools only). */
export function splitSafetensors(bytes: Uint8Array): {
  header: Record<string, Record<string, unknown>>;
  data: Uint8Array;
} {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<
    string,
    Record<string, unknown>
  >;
  return { header, data: bytes.slice(8 + n) };
}

function dataLength(header: Record<string, Record<string, unknown>>): number {
  let end = 0;
  for (const [k, v] of Object.entries(header))
    if (k !== '__metadata__') end = Math.max(end, (v.data_offsets as number[])[1]);
  return end;
}

/** Writes the files under `dir` (created if needed). */
export async function writeModelFolder(dir: string, files: ModelFiles): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }
}

async function main(argv: string[]): Promise<number> {
  const usage = `usage: node --import tsx scripts/make-test-model.ts <dir> [--broken ${BROKEN_KINDS.join('|')}] [--seed N] [--shards N]`;
  let dir: string | undefined;
  let broken: BrokenKind | undefined;
  const options: TestModelOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--broken') {
      const k = value();
      if (!(BROKEN_KINDS as readonly string[]).includes(k))
        throw new Error(`--broken: unknown kind "${k}" (known: ${BROKEN_KINDS.join(', ')})`);
      broken = k as BrokenKind;
    } else if (a === '--seed' || a === '--shards') {
      const v = Number(value());
      if (!Number.isInteger(v) || v < (a === '--shards' ? 1 : 0)) throw new Error(`${a} must be an integer`);
      if (a === '--seed') options.seed = v;
      else options.shards = v;
    } else if (a === '--help' || a === '-h') {
      console.log(usage);
      return 0;
    } else if (a.startsWith('-') || dir !== undefined) {
      throw new Error(`unexpected argument "${a}"\n${usage}`);
    } else {
      dir = a;
    }
  }
  if (!dir) throw new Error(usage);
  if (broken && (options.shards ?? 1) > 1) throw new Error('--broken works on single-file checkpoints only');
  let files = makeTestModelFiles(options);
  if (broken) files = breakModelFiles(files, broken);
  await writeModelFolder(resolve(dir), files);
  console.error(
    `wrote ${Object.keys(files).sort().join(', ')} to ${resolve(dir)}${broken ? ` (broken: ${broken})` : ''}`,
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(2);
    },
  );
}
