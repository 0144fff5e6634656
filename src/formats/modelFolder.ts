// A model folder in Hugging Face layout — config.json, model.safetensors (or shards listed in
// model.safetensors.index.json), tokenizer.json (+ tokenizer_config.json) — behind one small interface,
// so a local folder, dropped files, the IndexedDB cache or a URL prefix load the same way.
// `loadModelFolder` opens everything except the tensor data, which stays lazy.

import { readExactly, type ByteSource, bytesSource } from './byteSource.ts';
import { CheckpointReader, type CheckpointOptions } from './checkpoint.ts';
import { INDEX_FILE, parseCheckpointIndex } from './checkpointIndex.ts';
import { CONFIG_FILE, parseModelConfig, type ModelConfig } from './config.ts';
import { badFile, notFound } from './fileErrors.ts';
import { openSafetensors, type SafetensorsFile } from './safetensors.ts';
import { TOKENIZER_CONFIG_FILE, TOKENIZER_FILE, loadTokenizer, type TextTokenizer } from './tokenizer.ts';

export const WEIGHTS_FILE = 'model.safetensors';

const MiB = 1024 * 1024;

/** The largest JSON files Stepwise reads into memory. Real ones are far smaller: config.json a few
 *  kilobytes, the largest published tokenizer.json ≈ 35 MB (Gemma 3), tokenizer_config.json with chat
 *  templates ≈ 1 MB, an index of 91,000 tensors (DeepSeek-V3) ≈ 9 MB. A larger file is refused by its
 *  size, before a byte of it is read. */
export const JSON_FILE_LIMITS: Readonly<Record<string, number>> = {
  [CONFIG_FILE]: 4 * MiB,
  [TOKENIZER_FILE]: 64 * MiB,
  [TOKENIZER_CONFIG_FILE]: 8 * MiB,
  [INDEX_FILE]: 32 * MiB,
};

export interface ModelFolder {
  /** How to name the folder in messages: a path, a URL, a Hugging Face id. */
  readonly name: string;
  /** A file of the folder by relative path, or null when it does not exist. */
  open(path: string): Promise<ByteSource | null>;
}

/** A folder over files held in memory (tests, dropped files already read). */
export function memoryFolder(name: string, files: Record<string, Uint8Array>): ModelFolder {
  return {
    name,
    open: (path) =>
      Promise.resolve(Object.prototype.hasOwnProperty.call(files, path) ? bytesSource(path, files[path]) : null),
  };
}

export interface LoadedModel {
  folder: string;
  config: ModelConfig;
  checkpoint: CheckpointReader;
  tokenizer: TextTokenizer | null; // null only when not required and tokenizer.json is absent
  warnings: string[]; // collected so far (NaN/Inf weights are added as tensors are read)
}

export interface LoadOptions {
  requireTokenizer?: boolean; // default true: every architecture so far is a text model
  onWarning?: (message: string) => void;
}

/** Opens config, checkpoint header(s) and tokenizer of a folder. not-found / bad-file naming the file. */
export async function loadModelFolder(folder: ModelFolder, options: LoadOptions = {}): Promise<LoadedModel> {
  const warnings: string[] = [];
  const onWarning = (m: string): void => {
    warnings.push(m);
    options.onWarning?.(m);
  };
  const config = parseModelConfig(await readJsonFile(await required(folder, CONFIG_FILE), CONFIG_FILE), CONFIG_FILE);
  const checkpoint = await openCheckpoint(folder, { onWarning });
  let tokenizer: TextTokenizer | null = null;
  const tokSource = await folder.open(TOKENIZER_FILE);
  if (tokSource) {
    const cfgSource = await folder.open(TOKENIZER_CONFIG_FILE);
    tokenizer = loadTokenizer(
      await readJsonFile(tokSource, TOKENIZER_FILE),
      cfgSource ? await readJsonFile(cfgSource, TOKENIZER_CONFIG_FILE) : null,
    );
  } else if (options.requireTokenizer ?? true) {
    throw missing(folder, TOKENIZER_FILE);
  }
  return { folder: folder.name, config, checkpoint, tokenizer, warnings };
}

/** Opens model.safetensors, or the shards of model.safetensors.index.json. */
export async function openCheckpoint(folder: ModelFolder, options: CheckpointOptions = {}): Promise<CheckpointReader> {
  const single = await folder.open(WEIGHTS_FILE);
  if (single) return new CheckpointReader([await openSafetensors(single)], undefined, options);
  const indexSource = await folder.open(INDEX_FILE);
  if (!indexSource) {
    throw notFound(
      `${folder.name}/${WEIGHTS_FILE}`,
      `no weights: neither ${WEIGHTS_FILE} nor ${INDEX_FILE} exists`,
      'the model folder is incomplete: download the weights',
    );
  }
  const index = parseCheckpointIndex(await readJsonFile(indexSource, INDEX_FILE), INDEX_FILE);
  const shards: SafetensorsFile[] = [];
  for (const shard of index.shards) {
    const source = await folder.open(shard);
    if (!source)
      throw notFound(
        `${folder.name}/${shard}`,
        `shard listed in ${INDEX_FILE} is missing`,
        'download every shard of the checkpoint',
      );
    shards.push(await openSafetensors(source));
  }
  return new CheckpointReader(shards, { file: INDEX_FILE, index }, options);
}

async function required(folder: ModelFolder, path: string): Promise<ByteSource> {
  const s = await folder.open(path);
  if (!s) throw missing(folder, path);
  return s;
}

function missing(folder: ModelFolder, path: string) {
  return notFound(
    `${folder.name}/${path}`,
    'file is missing',
    `a model folder needs ${CONFIG_FILE}, ${WEIGHTS_FILE} (or shards) and ${TOKENIZER_FILE}`,
  );
}

/** All bytes of a (small, JSON) file. */
export async function readWhole(source: ByteSource): Promise<Uint8Array> {
  return readExactly(source, 0, source.size, 'the file');
}

/** All bytes of one of the folder's JSON files, after checking its size against JSON_FILE_LIMITS. */
async function readJsonFile(source: ByteSource, path: string): Promise<Uint8Array> {
  const limit = JSON_FILE_LIMITS[path];
  if (source.size > limit) {
    throw badFile(
      path,
      `the file is ${(source.size / MiB).toFixed(1)} MiB, over the ${limit / MiB} MiB limit for ${path}`,
      `a real ${path} is far smaller: check that this is the right file`,
    );
  }
  return readWhole(source);
}
