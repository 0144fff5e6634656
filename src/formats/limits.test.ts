// Size caps: a huge config.json, tokenizer.json, tokenizer_config.json or index is refused by its size
// before a byte of it is read, and a header or index listing absurdly many tensors is refused before
// its JSON is parsed. Every message names the file and the limit.

import { describe, expect, it } from 'vitest';
import { makeTestModelFiles } from '../../scripts/make-test-model.ts';
import type { ByteSource } from './byteSource.ts';
import { parseCheckpointIndex, MAX_SHARDS } from './checkpointIndex.ts';
import { countTopLevelKeys } from './json.ts';
import { JSON_FILE_LIMITS, loadModelFolder, memoryFolder, type ModelFolder } from './modelFolder.ts';
import { openSafetensors } from './safetensors.ts';
import { MAX_TENSORS } from './safetensorsHeader.ts';
import { bytesSource } from './byteSource.ts';
import { expectFileError } from './testing.ts';

const files = makeTestModelFiles();
const MiB = 1024 * 1024;

/** A file that claims `size` bytes and fails the test if anything is read from it. */
function unreadable(name: string, size: number): ByteSource {
  return {
    name,
    size,
    read: () => {
      throw new Error(`${name} was read although it is over the limit`);
    },
  };
}

/** The valid folder with one file replaced by a huge one. */
function withHuge(path: string, size: number): ModelFolder {
  const base = memoryFolder('tiny', files);
  return { name: 'tiny', open: async (p) => (p === path ? unreadable(path, size) : base.open(p)) };
}

describe('size limits of the JSON files', () => {
  it.each([
    ['config.json', 600 * 1e6, /config\.json: the file is 572\.2 MiB, over the 4 MiB limit for config\.json/],
    ['tokenizer.json', 65 * MiB, /tokenizer\.json: the file is 65\.0 MiB, over the 64 MiB limit/],
    ['tokenizer_config.json', 9 * MiB, /tokenizer_config\.json: the file is 9\.0 MiB, over the 8 MiB limit/],
  ])('refuses a %s of %d bytes without reading it', async (path, size, message) => {
    await expectFileError(() => loadModelFolder(withHuge(path, size)), 'bad-file', path, message);
  });

  it('refuses a huge model.safetensors.index.json without reading it', async () => {
    const sharded = makeTestModelFiles({ shards: 2 });
    const base = memoryFolder('tiny', sharded);
    const folder: ModelFolder = {
      name: 'tiny',
      open: async (p) => (p === 'model.safetensors.index.json' ? unreadable(p, 33 * MiB) : base.open(p)),
    };
    await expectFileError(() => loadModelFolder(folder), 'bad-file', 'model.safetensors.index.json', /over the 32 MiB/);
  });

  it('accepts files right at the limits (the limits are sizes, not guesses)', () => {
    expect(JSON_FILE_LIMITS).toEqual({
      'config.json': 4 * MiB,
      'tokenizer.json': 64 * MiB,
      'tokenizer_config.json': 8 * MiB,
      'model.safetensors.index.json': 32 * MiB,
    });
  });
});

/** A safetensors file whose header lists `n` empty tensors. */
function manyEmptyTensors(n: number): Uint8Array {
  const parts = ['"__metadata__":{"format":"pt"}'];
  for (let i = 0; i < n; i++) parts.push(`"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
  const header = new TextEncoder().encode(`{${parts.join(',')}}`);
  const out = new Uint8Array(8 + header.byteLength);
  new DataView(out.buffer).setUint32(0, header.byteLength, true);
  out.set(header, 8);
  return out;
}

describe('tensor count limits', () => {
  it(`refuses a header listing more than ${MAX_TENSORS} tensors before parsing it`, async () => {
    const bytes = manyEmptyTensors(MAX_TENSORS + 1);
    await expectFileError(
      () => openSafetensors(bytesSource('model.safetensors', bytes)),
      'bad-file',
      'model.safetensors',
      /the header lists more than 200,000 tensors, the most Stepwise reads from one file/,
    );
  });

  it('refuses an index listing too many tensors, or too many shards', async () => {
    const tooMany: Record<string, string> = {};
    for (let i = 0; i <= MAX_TENSORS; i++) tooMany[`t${i}`] = 'a.safetensors';
    await expectFileError(
      () => parseCheckpointIndex(JSON.stringify({ weight_map: tooMany })),
      'bad-file',
      'model.safetensors.index.json',
      /"weight_map" lists 200,001 tensors, more than the 200,000 Stepwise reads/,
    );
    const shards: Record<string, string> = {};
    for (let i = 0; i <= MAX_SHARDS; i++) shards[`t${i}`] = `s${i}.safetensors`;
    await expectFileError(
      () => parseCheckpointIndex(JSON.stringify({ weight_map: shards })),
      'bad-file',
      'model.safetensors.index.json',
      /names more than 4096 shard files/,
    );
  });
});

describe('counting top-level keys without parsing', () => {
  const count = (s: string, stop?: number) => countTopLevelKeys(new TextEncoder().encode(s), stop);

  it('counts only the outer object, whatever the strings and nesting hold', () => {
    expect(count('{}')).toBe(0);
    expect(count('{"a":1}')).toBe(1);
    expect(count('{"a:b":{"c":{"d":[1,{"e":2}]}},"x\\"y:":"z:","w":[":",{"q":1}]}')).toBe(3);
    expect(count('{"\\\\":1,"b":"\\\\:"}')).toBe(2);
    expect(count(' { "a" : 1 , "b" : 2 } ')).toBe(2);
  });

  it('agrees with JSON.parse on the test model header, and stops early', () => {
    const w = files['model.safetensors'];
    const n = new DataView(w.buffer, w.byteOffset).getUint32(0, true);
    const header = w.subarray(8, 8 + n);
    const keys = Object.keys(JSON.parse(new TextDecoder().decode(header)) as object).length;
    expect(countTopLevelKeys(header)).toBe(keys);
    expect(countTopLevelKeys(header, 3)).toBe(4);
  });
});
