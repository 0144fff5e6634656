import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonBytes, jsonMutations, mutateBytes, byteMutations, mutateJson } from './fuzz.ts';
import {
  SHIPPED_INDEX_FILE,
  findShippedModel,
  parseShippedIndex,
  shippedFolderExpectations,
  type ShippedIndex,
} from './shippedIndex.ts';
import { expectFileError, isFileError } from './testing.ts';

const H1 = 'a'.repeat(64);
const H2 = '0123456789abcdef'.repeat(4);

const VALID: ShippedIndex = {
  models: [
    {
      id: 'brown-gpt2',
      task: 'text-generation',
      modelType: 'gpt2',
      description: 'A tiny GPT-2 trained on the Brown corpus.',
      files: [
        { path: 'config.json', size: 700, sha256: H1 },
        { path: 'model.safetensors', size: 1_000_000, sha256: H2 },
      ],
      bytes: 1_000_700,
    },
    {
      id: 'emoji.maskgit_v1',
      task: null,
      modelType: 'maskgit',
      description: '',
      files: [{ path: 'weights/model.safetensors', size: 0, sha256: H1 }],
      bytes: 0,
    },
  ],
};

const clone = (): ShippedIndex => JSON.parse(JSON.stringify(VALID)) as ShippedIndex;
const bad = (edit: (i: Record<string, unknown> & ShippedIndex) => void, problem: RegExp) => {
  const v = clone() as Record<string, unknown> & ShippedIndex;
  edit(v);
  return expectFileError(() => parseShippedIndex(JSON.stringify(v)), 'bad-file', SHIPPED_INDEX_FILE, problem);
};

describe('parseShippedIndex', () => {
  it('parses a valid index, from text or bytes', () => {
    expect(parseShippedIndex(JSON.stringify(VALID))).toEqual(VALID);
    expect(parseShippedIndex(jsonBytes(VALID))).toEqual(VALID);
    expect(parseShippedIndex('{"models": []}')).toEqual({ models: [] });
  });

  it('names the file and the field at fault', async () => {
    await expectFileError(() => parseShippedIndex('{"models": ['), 'bad-file', SHIPPED_INDEX_FILE, /not valid JSON/);
    await expectFileError(() => parseShippedIndex('[]'), 'bad-file', SHIPPED_INDEX_FILE, /JSON object/);
    await expectFileError(() => parseShippedIndex('{}'), 'bad-file', SHIPPED_INDEX_FILE, /models: must be an array/);
    await bad((i) => ((i.models as unknown[])[1] = 3), /models\[1\]: must be an object/);
    await bad((i) => (i.models[0].id = 'a/b'), /models\[0\]\.id: "a\/b" \(a string\) is not a folder name/);
    await bad((i) => (i.models[1].id = 'brown-gpt2'), /models\[1\]\.id: "brown-gpt2" is listed twice/);
    await bad((i) => delete (i.models[0] as Partial<(typeof i.models)[0]>).modelType, /models\[0\]\.modelType/);
    await bad(
      (i) => ((i.models[0] as unknown as Record<string, unknown>).task = 5),
      /models\[0\]\.task: must be a string or null/,
    );
    await bad((i) => (i.models[0].description = null as unknown as string), /models\[0\]\.description/);
    await bad((i) => (i.models[0].files = []), /models\[0\]\.files: must be a non-empty array/);
    await bad((i) => (i.models[0].files[1].path = '../x'), /models\[0\]\.files\[1\]\.path/);
    await bad((i) => (i.models[0].files[1].path = '/etc/passwd'), /files\[1\]\.path/);
    await bad((i) => (i.models[0].files[1].path = 'config.json'), /files\[1\]\.path: "config.json" is listed twice/);
    await bad((i) => (i.models[0].files[0].size = -1), /files\[0\]\.size: must be a whole number/);
    await bad((i) => (i.models[0].files[0].size = 1.5), /files\[0\]\.size/);
    await bad((i) => (i.models[0].files[0].sha256 = H1.toUpperCase()), /files\[0\]\.sha256: must be 64 lowercase hex/);
    await bad((i) => (i.models[0].bytes = 5), /models\[0\]\.bytes: is 5, but the files add up to 1000700/);
  });

  it('names another file when told', async () => {
    await expectFileError(
      () => parseShippedIndex('{}', '/models/index.json'),
      'bad-file',
      '/models/index.json',
      /models/,
    );
  });

  const check = (input: string | Uint8Array): void => {
    try {
      parseShippedIndex(input);
    } catch (e) {
      if (!isFileError(e)) throw e;
    }
  };

  it('mutated indexes give only typed errors', () => {
    fc.assert(
      fc.property(jsonMutations, (m) => check(jsonBytes(mutateJson(clone(), m)))),
      {
        numRuns: 1500,
        seed: 11,
      },
    );
    fc.assert(
      fc.property(byteMutations, (m) => check(mutateBytes(jsonBytes(VALID), m))),
      {
        numRuns: 1000,
        seed: 12,
      },
    );
  });
});

describe('shippedFolderExpectations', () => {
  it('maps every file to its size and SHA-256', () => {
    const entry = findShippedModel(VALID, 'brown-gpt2');
    expect(entry).toBeDefined();
    const expected = shippedFolderExpectations(entry!);
    expect({ ...expected }).toEqual({
      'config.json': { size: 700, sha256: H1 },
      'model.safetensors': { size: 1_000_000, sha256: H2 },
    });
    expect(findShippedModel(VALID, 'nope')).toBeUndefined();
  });
});
