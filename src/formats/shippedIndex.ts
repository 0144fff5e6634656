// The index of the models shipped with the app, public/models/index.json, written by
// scripts/make-model-index.ts: per model its id, task, model_type, a one-paragraph description and every
// file with its size and SHA-256. The app lists models from it, and the weight cache checks downloads
// and cached copies against it (`shippedFolderExpectations`). Parsing is strict and every error names
// the file and the field at fault.

import { badFile, describeValue } from './fileErrors.ts';
import { isJsonObject, own, parseJsonObject } from './json.ts';
import type { ExpectedFile } from './weightCache.ts';

export const SHIPPED_INDEX_FILE = 'public/models/index.json';

export interface ShippedFile {
  path: string; // relative to the model's folder, "/"-separated
  size: number;
  sha256: string; // 64 lowercase hex digits
}

export interface ShippedModel {
  id: string; // the folder name under public/models
  task: string | null; // config.json stepwise.task
  modelType: string; // config.json model_type
  description: string;
  files: ShippedFile[]; // sorted by path
  bytes: number; // sum of the files' sizes
}

export interface ShippedIndex {
  models: ShippedModel[]; // sorted by id
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SHA256 = /^[0-9a-f]{64}$/;
const HINT = 'run `node --import tsx scripts/make-model-index.ts` to write the index again';

/** Parses and validates the index; bad-file naming `file` and the field on any problem. */
export function parseShippedIndex(input: string | Uint8Array, file = SHIPPED_INDEX_FILE): ShippedIndex {
  const root = parseJsonObject(input, file);
  const fail = (where: string, problem: string): never => {
    throw badFile(file, `${where}: ${problem}`, HINT);
  };
  const list = own(root, 'models');
  if (!Array.isArray(list)) return fail('models', `must be an array, got ${describeValue(list)}`);
  const ids = new Set<string>();
  const models = list.map((raw, i): ShippedModel => {
    const at = `models[${i}]`;
    if (!isJsonObject(raw)) return fail(at, `must be an object, got ${describeValue(raw)}`);
    const str = (key: string, nullable = false): string | null => {
      const v = own(raw, key);
      if (typeof v === 'string' || (nullable && v === null)) return v;
      return fail(`${at}.${key}`, `must be a string${nullable ? ' or null' : ''}, got ${describeValue(v)}`);
    };
    const id = str('id') as string;
    if (!ID.test(id)) fail(`${at}.id`, `${describeValue(id)} is not a folder name (letters, digits, . _ -)`);
    if (ids.has(id)) fail(`${at}.id`, `"${id}" is listed twice`);
    ids.add(id);
    const task = str('task', true);
    const modelType = str('modelType') as string;
    if (modelType === '') fail(`${at}.modelType`, 'is empty');
    const description = str('description') as string;
    const filesRaw = own(raw, 'files');
    if (!Array.isArray(filesRaw) || filesRaw.length === 0) {
      fail(`${at}.files`, `must be a non-empty array, got ${describeValue(filesRaw)}`);
    }
    const paths = new Set<string>();
    const files = (filesRaw as unknown[]).map((f, j): ShippedFile => {
      const fat = `${at}.files[${j}]`;
      if (!isJsonObject(f)) return fail(fat, `must be an object, got ${describeValue(f)}`);
      const path = own(f, 'path');
      if (typeof path !== 'string' || !isRelativePath(path)) {
        return fail(`${fat}.path`, `${describeValue(path)} is not a relative path inside the model folder`);
      }
      if (paths.has(path)) fail(`${fat}.path`, `"${path}" is listed twice`);
      paths.add(path);
      const size = own(f, 'size');
      if (!Number.isSafeInteger(size) || (size as number) < 0) {
        fail(`${fat}.size`, `must be a whole number of bytes, got ${describeValue(size)}`);
      }
      const sha256 = own(f, 'sha256');
      if (typeof sha256 !== 'string' || !SHA256.test(sha256)) {
        fail(`${fat}.sha256`, `must be 64 lowercase hex digits, got ${describeValue(sha256)}`);
      }
      return { path, size: size as number, sha256: sha256 as string };
    });
    const bytes = own(raw, 'bytes');
    const total = files.reduce((s, f) => s + f.size, 0);
    if (bytes !== total) fail(`${at}.bytes`, `is ${describeValue(bytes)}, but the files add up to ${total}`);
    return { id, task, modelType, description, files, bytes: total };
  });
  return { models };
}

/** The model with `id`, or undefined. */
export function findShippedModel(index: ShippedIndex, id: string): ShippedModel | undefined {
  return index.models.find((m) => m.id === id);
}

/** The `expected` map of cachedFolder for a shipped model (use with `exhaustive: true`). */
export function shippedFolderExpectations(entry: ShippedModel): Record<string, ExpectedFile> {
  const expected: Record<string, ExpectedFile> = Object.create(null) as Record<string, ExpectedFile>;
  for (const f of entry.files) expected[f.path] = { size: f.size, sha256: f.sha256 };
  return expected;
}

function isRelativePath(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
