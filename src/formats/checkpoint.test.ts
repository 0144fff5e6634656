// Sharded checkpoints: model.safetensors.index.json validation (unit cases + properties) and the
// CheckpointReader over several shards.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSource } from './byteSource.ts';
import { CheckpointReader } from './checkpoint.ts';
import { INDEX_FILE, parseCheckpointIndex } from './checkpointIndex.ts';
import { byteMutations, jsonBytes, jsonMutations, mutateBytes, mutateJson, nastyJson } from './fuzz.ts';
import { openSafetensors } from './safetensors.ts';
import { writeSafetensors } from './safetensorsWriter.ts';
import { expectFileError, isFileError } from './testing.ts';

const validIndex = {
  metadata: { total_size: 40 },
  weight_map: {
    'a.weight': 'model-00001-of-00002.safetensors',
    'b.weight': 'model-00002-of-00002.safetensors',
    'c.bias': 'model-00001-of-00002.safetensors',
  },
};

const badIndex = (value: unknown, problem: RegExp, text?: string) =>
  expectFileError(() => parseCheckpointIndex(text ?? JSON.stringify(value)), 'bad-file', INDEX_FILE, problem);

describe('model.safetensors.index.json', () => {
  it('parses weight_map and metadata', () => {
    const idx = parseCheckpointIndex(JSON.stringify(validIndex));
    expect(idx.shards).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(idx.weightMap.get('b.weight')).toBe('model-00002-of-00002.safetensors');
    expect(idx.metadata).toEqual({ total_size: 40 });
    expect(parseCheckpointIndex(jsonBytes({ weight_map: { x: 'a.safetensors' } })).metadata).toEqual({});
  });
  it('rejects text that is not JSON', () => badIndex(null, /not valid JSON/, '{"weight_map": {'));
  it('rejects bytes that are not UTF-8', () =>
    expectFileError(
      () => parseCheckpointIndex(new Uint8Array([0x7b, 0xc3, 0x28, 0x7d])),
      'bad-file',
      INDEX_FILE,
      /not valid UTF-8/,
    ));
  it('rejects JSON that is not an object', () => badIndex([validIndex], /must be a JSON object, got an array/));
  it('rejects a missing weight_map', () => badIndex({ metadata: {} }, /required field "weight_map" is missing/));
  it('rejects a weight_map that is not an object', () =>
    badIndex({ weight_map: ['a.safetensors'] }, /"weight_map" must be an object/));
  it('rejects an empty weight_map', () => badIndex({ weight_map: {} }, /lists no tensors/));
  it('rejects a shard name that is not a string', () =>
    badIndex({ weight_map: { a: 3 } }, /entry "a" must be a shard file name, got 3/));
  it('rejects a shard that is not a .safetensors file', () =>
    badIndex(
      { weight_map: { a: 'pytorch_model.bin' } },
      /names shard "pytorch_model.bin", which is not a .safetensors file/,
    ));
  it('rejects a shard path that leaves the folder', () =>
    badIndex({ weight_map: { a: '../../etc/x.safetensors' } }, /is not a relative path inside the model folder/));
  it('rejects metadata that is not an object', () =>
    badIndex({ ...validIndex, metadata: 'x' }, /"metadata" must be an object/));
  it('rejects a negative total_size', () =>
    badIndex(
      { ...validIndex, metadata: { total_size: -1 } },
      /"metadata.total_size" must be a non-negative integer, got -1/,
    ));
  it('rejects a total_size that is a string', () =>
    badIndex(
      { ...validIndex, metadata: { total_size: '40' } },
      /total_size" must be a non-negative integer, got "40" \(a string\)/,
    ));

  it('property: random bytes and mutations of a valid index give only typed errors', () => {
    const parse = (b: Uint8Array | string): void => {
      try {
        const idx = parseCheckpointIndex(b);
        for (const s of idx.weightMap.values()) expect(s.endsWith('.safetensors')).toBe(true);
      } catch (e) {
        if (!isFileError(e)) throw e;
      }
    };
    const settings = { numRuns: 2500, seed: 11 };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), parse), settings);
    fc.assert(
      fc.property(byteMutations, (m) => parse(mutateBytes(jsonBytes(validIndex), m))),
      settings,
    );
    fc.assert(
      fc.property(jsonMutations, (m) => parse(jsonBytes(mutateJson(validIndex, m)))),
      settings,
    );
    fc.assert(
      fc.property(nastyJson, (v) => parse(JSON.stringify({ weight_map: v, metadata: v }) ?? '')),
      settings,
    );
  });
});

const shardA = writeSafetensors({
  'a.weight': { dtype: 'F32', shape: [2], data: [1, 2] },
  'c.bias': { dtype: 'F16', shape: [1], data: [3] },
});
const shardB = writeSafetensors({ 'b.weight': { dtype: 'BF16', shape: [2, 1], data: [4, 5] } });
const A = 'model-00001-of-00002.safetensors';
const B = 'model-00002-of-00002.safetensors';
const openBytes = (name: string, b: Uint8Array) => openSafetensors(bytesSource(name, b));

describe('CheckpointReader', () => {
  it('finds tensors across shards', async () => {
    const r = new CheckpointReader([await openBytes(A, shardA), await openBytes(B, shardB)], {
      file: INDEX_FILE,
      index: parseCheckpointIndex(JSON.stringify(validIndex)),
    });
    expect(r.names().sort()).toEqual(['a.weight', 'b.weight', 'c.bias']);
    expect(r.info('b.weight').file).toBe(B);
    expect(Array.from((await r.readTensor('b.weight')).data)).toEqual([4, 5]);
    expect(Array.from((await r.readTensor('c.bias')).data)).toEqual([3]);
    await expectFileError(() => r.readTensor('d'), 'not-found', 'the checkpoint (2 shards)', /no tensor named "d"/);
  });

  it('rejects a tensor name present in two shards, naming both', async () => {
    const dup = writeSafetensors({ 'a.weight': { dtype: 'F32', shape: [1], data: [9] } });
    await expectFileError(
      async () => new CheckpointReader([await openBytes(A, shardA), await openBytes(B, dup)]),
      'bad-file',
      B,
      /tensor "a.weight" is also in model-00001-of-00002.safetensors/,
    );
  });

  it('rejects a shard the index lists but that was not given', async () => {
    await expectFileError(
      async () =>
        new CheckpointReader([await openBytes(A, shardA)], {
          file: INDEX_FILE,
          index: parseCheckpointIndex(JSON.stringify(validIndex)),
        }),
      'not-found',
      B,
      /shard listed in model.safetensors.index.json is missing/,
    );
  });

  it('rejects an index that puts a tensor in the wrong shard', async () => {
    const wrong = { weight_map: { ...validIndex.weight_map, 'b.weight': A } };
    await expectFileError(
      async () =>
        new CheckpointReader([await openBytes(A, shardA), await openBytes(B, shardB)], {
          file: INDEX_FILE,
          index: parseCheckpointIndex(JSON.stringify(wrong)),
        }),
      'bad-file',
      INDEX_FILE,
      /lists tensor "b.weight" in model-00001-of-00002.safetensors, but it is in model-00002-of-00002.safetensors/,
    );
  });

  it('rejects an index listing a tensor no shard holds', async () => {
    const extra = { weight_map: { ...validIndex.weight_map, 'z.weight': B } };
    await expectFileError(
      async () =>
        new CheckpointReader([await openBytes(A, shardA), await openBytes(B, shardB)], {
          file: INDEX_FILE,
          index: parseCheckpointIndex(JSON.stringify(extra)),
        }),
      'bad-file',
      INDEX_FILE,
      /lists tensor "z.weight" in model-00002-of-00002.safetensors, but that shard does not hold it/,
    );
  });
});
