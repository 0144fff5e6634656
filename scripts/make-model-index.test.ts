import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../src/formats/cacheStore.ts';
import { loadModelFolder, type ModelFolder } from '../src/formats/modelFolder.ts';
import { nodeFolder } from '../src/formats/nodeFolder.ts';
import { parseShippedIndex, shippedFolderExpectations } from '../src/formats/shippedIndex.ts';
import { expectFileError } from '../src/formats/testing.ts';
import { cachedFolder, listCachedModels } from '../src/formats/weightCache.ts';
import { buildModelIndex, firstParagraph, renderModelIndex, writeModelIndex } from './make-model-index.ts';
import { makeTestModelFiles, writeModelFolder } from './make-test-model.ts';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const run = promisify(execFile);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stepwise-index-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function modelsDir(name: string): Promise<string> {
  const dir = join(root, name);
  const files = makeTestModelFiles();
  await writeModelFolder(join(dir, 'zeta-gpt2'), {
    ...files,
    'README.md': new TextEncoder().encode(
      '---\nlicense: mit\n---\n# Zeta\n\n[![ci](https://x/b.svg)](https://x)\n\nA tiny GPT-2\nfor tests.\n\nMore text.\n',
    ),
  });
  const config = JSON.parse(new TextDecoder().decode(files['config.json'])) as Record<string, unknown>;
  config.stepwise = { task: 'masked-diffusion', description: 'From the config.' };
  await writeModelFolder(join(dir, 'alpha'), {
    ...makeTestModelFiles({ seed: 2 }),
    'config.json': new TextEncoder().encode(JSON.stringify(config)),
    'sub/extra.bin': new Uint8Array([1, 2, 3]),
    '.hidden': new Uint8Array([9]),
  });
  await mkdir(join(dir, 'not-a-model'), { recursive: true });
  await writeFile(join(dir, 'not-a-model', 'notes.txt'), 'x');
  await writeFile(join(dir, 'stray.txt'), 'x');
  return dir;
}

describe('make-model-index', () => {
  it('indexes model folders: sorted, with sizes, hashes and descriptions', async () => {
    const dir = await modelsDir('a');
    const index = await buildModelIndex(dir);
    expect(index.models.map((m) => m.id)).toEqual(['alpha', 'zeta-gpt2']);
    const [alpha, zeta] = index.models;
    expect(alpha).toMatchObject({ task: 'masked-diffusion', modelType: 'gpt2', description: 'From the config.' });
    expect(zeta).toMatchObject({ task: 'text-generation', description: 'A tiny GPT-2 for tests.' });
    expect(alpha.files.map((f) => f.path)).toEqual([
      'config.json',
      'model.safetensors',
      'sub/extra.bin',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const weights = await readFile(join(dir, 'zeta-gpt2', 'model.safetensors'));
    expect(zeta.files.find((f) => f.path === 'model.safetensors')).toEqual({
      path: 'model.safetensors',
      size: weights.byteLength,
      sha256: sha(weights),
    });
    expect(alpha.bytes).toBe(alpha.files.reduce((s, f) => s + f.size, 0));
  });

  it('writes the same bytes every time, and the app parses them', async () => {
    const dir = await modelsDir('b');
    const first = await writeModelIndex(dir);
    const second = await writeModelIndex(dir);
    expect(second).toBe(first);
    expect(await readFile(join(dir, 'index.json'), 'utf8')).toBe(first);
    expect(parseShippedIndex(first)).toEqual(await buildModelIndex(dir));
    expect(renderModelIndex(parseShippedIndex(first))).toBe(first);
  });

  it('writes {"models": []} when there are no model folders', async () => {
    const empty = join(root, 'empty', 'public', 'models');
    const text = await writeModelIndex(empty);
    expect(JSON.parse(text)).toEqual({ models: [] });
    expect(await readFile(join(empty, 'index.json'), 'utf8')).toBe(text);
  });

  it('takes the first paragraph of prose of a model card', () => {
    expect(firstParagraph('# T\n\n![img](a.png)\n<p align="center"><img src="x"></p>\n\nOne\ntwo.\n\nThree.')).toBe(
      'One two.',
    );
    expect(firstParagraph('<!-- a\ncomment -->\n---\nFirst.\n# Next\n')).toBe('First.');
    expect(firstParagraph('')).toBe('');
  });

  it('feeds cachedFolder: a shipped model loads through the cache and is checked against the index', async () => {
    const dir = await modelsDir('c');
    const index = parseShippedIndex(await writeModelIndex(dir));
    const entry = index.models[1];
    const store = memoryStore();
    const opts = { store, source: `shipped:${entry.id}`, expected: shippedFolderExpectations(entry), exhaustive: true };
    const model = await loadModelFolder(cachedFolder(nodeFolder(join(dir, entry.id)), opts));
    expect(model.config.modelType).toBe('gpt2');
    const [listed] = await listCachedModels(store);
    expect(listed.complete).toBe(true);
    expect(listed.files.map((f) => f.path)).toEqual([
      'config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);

    // The file on the server changed after the index was written: the download is refused.
    const tampered = join(root, 'c-tampered');
    const files = makeTestModelFiles({ seed: 9 });
    await writeModelFolder(tampered, files);
    const fresh = memoryStore();
    const folder: ModelFolder = cachedFolder(nodeFolder(tampered), { ...opts, store: fresh });
    await expectFileError(() => folder.open('model.safetensors'), 'bad-file', 'model.safetensors', /SHA-256/);
    expect(await fresh.keys()).toEqual([]);
  });

  it('runs from the command line, with --check', async () => {
    const dir = await modelsDir('d');
    const script = join(import.meta.dirname, 'make-model-index.ts');
    const node = (...args: string[]) => run(process.execPath, ['--import', 'tsx', script, ...args]);
    const out = await node('--dir', dir);
    expect(out.stderr).toMatch(/2 model\(s\)/);
    expect((await node('--dir', dir, '--check')).stderr).toMatch(/up to date/);
    await writeFile(join(dir, 'alpha', 'new.txt'), 'new');
    await expect(node('--dir', dir, '--check')).rejects.toMatchObject({ code: 1 });
    await expect(node('--bogus')).rejects.toMatchObject({ code: 2 });
  });
});
