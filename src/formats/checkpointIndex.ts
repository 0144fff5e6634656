// model.safetensors.index.json — the table of contents of a sharded checkpoint:
// {"metadata": {"total_size": <bytes>, …}, "weight_map": {"<tensor name>": "<shard file name>", …}}.
// Validated here, naming the file; whether each shard really holds its tensors is checked by
// CheckpointReader once the shards are open.

import { badFile, describeValue } from './fileErrors.ts';
import { isJsonObject, own, parseJsonObject } from './json.ts';
import { MAX_TENSORS, quote } from './safetensorsHeader.ts';

export const INDEX_FILE = 'model.safetensors.index.json';

/** Most shard files an index may name. */
export const MAX_SHARDS = 4096;

export interface CheckpointIndex {
  metadata: Record<string, unknown>; // free-form; "total_size" (bytes of all tensors) when present is checked
  weightMap: Map<string, string>; // tensor name → shard file name
  shards: string[]; // distinct shard file names, in order of first mention
}

/** Parses and validates an index file's bytes or text. Throws bad-file naming `file`. */
export function parseCheckpointIndex(input: string | Uint8Array, file = INDEX_FILE): CheckpointIndex {
  const json = parseJsonObject(input, file);

  const meta = own(json, 'metadata');
  let metadata: Record<string, unknown> = {};
  if (meta !== undefined && meta !== null) {
    if (!isJsonObject(meta)) throw badFile(file, `"metadata" must be an object, got ${describeValue(meta)}`);
    const total = own(meta, 'total_size');
    if (total !== undefined && (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0)) {
      throw badFile(file, `"metadata.total_size" must be a non-negative integer, got ${describeValue(total)}`);
    }
    metadata = meta;
  }

  const map = own(json, 'weight_map');
  if (map === undefined) throw badFile(file, 'required field "weight_map" is missing');
  if (!isJsonObject(map))
    throw badFile(file, `"weight_map" must be an object of tensor name → shard file, got ${describeValue(map)}`);
  const names = Object.keys(map);
  if (names.length > MAX_TENSORS) {
    throw badFile(
      file,
      `"weight_map" lists ${names.length.toLocaleString('en-US')} tensors, more than the ${MAX_TENSORS.toLocaleString('en-US')} Stepwise reads`,
      'a real checkpoint has far fewer: the index is damaged or hostile',
    );
  }
  const weightMap = new Map<string, string>();
  const shards: string[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const shard = map[name];
    if (typeof shard !== 'string') {
      throw badFile(file, `"weight_map" entry ${quote(name)} must be a shard file name, got ${describeValue(shard)}`);
    }
    const problem = shardNameProblem(shard);
    if (problem) throw badFile(file, `"weight_map" entry ${quote(name)} names shard ${quote(shard)}, which ${problem}`);
    weightMap.set(name, shard);
    if (!seen.has(shard)) {
      seen.add(shard);
      shards.push(shard);
      if (shards.length > MAX_SHARDS) {
        throw badFile(
          file,
          `"weight_map" names more than ${MAX_SHARDS} shard files, the most Stepwise opens`,
          'a real checkpoint has far fewer (a 671-billion-parameter one: 163): the index is damaged or hostile',
        );
      }
    }
  }
  if (weightMap.size === 0) throw badFile(file, '"weight_map" lists no tensors');
  return { metadata, weightMap, shards };
}

/** Why a shard name is unacceptable, or null: shards are plain .safetensors files beside the index. */
function shardNameProblem(shard: string): string | null {
  if (!shard.endsWith('.safetensors')) return 'is not a .safetensors file';
  if (
    shard.includes('\\') ||
    shard.startsWith('/') ||
    shard.split('/').some((p) => p === '..' || p === '.' || p === '')
  ) {
    return 'is not a relative path inside the model folder';
  }
  return null;
}
