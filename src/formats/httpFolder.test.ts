// Whole model folders over HTTP: the tiny GPT-2 folder of scripts/make-test-model.ts loads through
// every kind of local server (Range, no Range, no CORS headers, a redirect, Range that gives up
// half-way) with the same tensor table and data as the local copy; Range mode downloads only the
// header and the tensors asked for; progress adds up; a slow download cancels cleanly; a missing
// folder is not-found naming the URL.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTestModelFiles, writeModelFolder } from '../../scripts/make-test-model.ts';
import { isStepwiseError, type StepwiseError } from '../shared/errors.ts';
import { httpFolder } from './httpFolder.ts';
import { loadModelFolder, type LoadedModel } from './modelFolder.ts';
import { nodeFolder } from './nodeFolder.ts';
import { ProgressAggregator, type DownloadProgress, type OverallProgress } from './progress.ts';
import { startTestServers, type TestServers } from './testServers.ts';

const files = makeTestModelFiles();
const weights = files['model.safetensors'];
let tmp = '';
let servers: TestServers;
let local: LoadedModel;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'stepwise-httpfolder-'));
  await writeModelFolder(join(tmp, 'tiny'), files);
  await writeModelFolder(join(tmp, 'sharded'), makeTestModelFiles({ shards: 3 }));
  servers = await startTestServers(tmp);
  local = await loadModelFolder(nodeFolder(join(tmp, 'tiny')));
});
afterAll(async () => {
  await servers?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});
beforeEach(() => servers.reset());

async function caught(run: () => Promise<unknown>): Promise<StepwiseError> {
  try {
    await run();
  } catch (e) {
    if (isStepwiseError(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}

function table(m: LoadedModel) {
  return m.checkpoint.names().map((n) => m.checkpoint.info(n));
}

async function expectSameModel(m: LoadedModel, tensors = ['h.1.mlp.c_fc.weight', 'ln_f.bias']): Promise<void> {
  expect(m.config).toEqual(local.config);
  expect(table(m)).toEqual(table(local));
  expect(m.tokenizer?.vocabSize).toBe(local.tokenizer?.vocabSize);
  for (const name of tensors) {
    expect((await m.checkpoint.readTensor(name)).data).toEqual((await local.checkpoint.readTensor(name)).data);
  }
}

describe('loading a model folder over HTTP', () => {
  it.each([
    ['range', () => servers.range],
    ['whole', () => servers.whole],
    ['nocors', () => servers.noCors],
    ['redirect', () => servers.redirect],
    ['range-then-whole', () => servers.rangeThenWhole],
  ])('loads the same model through the %s server', async (_kind, base) => {
    const folder = httpFolder(`${base()}tiny`);
    expect(folder.name).toBe(`${base()}tiny`);
    await expectSameModel(await loadModelFolder(folder));
  });

  it('loads a sharded checkpoint', async () => {
    const m = await loadModelFolder(httpFolder(`${servers.range}sharded/`));
    const sharded = await loadModelFolder(nodeFolder(join(tmp, 'sharded')));
    expect(table(m)).toEqual(table(sharded));
    expect(new Set(table(m).map((t) => t.file)).size).toBe(3);
    for (const name of ['wte.weight', 'h.1.attn.c_proj.weight', 'ln_f.weight']) {
      expect((await m.checkpoint.readTensor(name)).data).toEqual((await local.checkpoint.readTensor(name)).data);
    }
  });

  it('in Range mode downloads only the header and the tensors asked for', async () => {
    const m = await loadModelFolder(httpFolder(`${servers.range}tiny/`));
    const headerLength = new DataView(weights.buffer, weights.byteOffset).getUint32(0, true);
    expect(servers.bytesServed('model.safetensors')).toBe(1 + 8 + headerLength);
    await m.checkpoint.readTensor('h.0.attn.c_attn.weight');
    const info = m.checkpoint.info('h.0.attn.c_attn.weight');
    const tensorBytes = info.end - info.begin;
    expect(servers.bytesServed('model.safetensors')).toBe(1 + 8 + headerLength + tensorBytes);
    expect(servers.bytesServed('model.safetensors')).toBeLessThan(weights.byteLength / 4);
    // The JSON files are read whole, once each (plus the one-byte probe).
    expect(servers.bytesServed('config.json')).toBe(1 + files['config.json'].byteLength);
  });

  it('in whole mode downloads each file exactly once', async () => {
    const m = await loadModelFolder(httpFolder(`${servers.whole}tiny/`));
    for (const n of m.checkpoint.names()) await m.checkpoint.readTensor(n);
    for (const [name, bytes] of Object.entries(files)) expect(servers.bytesServed(name)).toBe(bytes.byteLength);
  });

  it('reports per-file and overall progress up to loaded === total', async () => {
    const perFile: DownloadProgress[] = [];
    let overall: OverallProgress | null = null;
    const aggregator = new ProgressAggregator((o) => (overall = o));
    const onProgress = (p: DownloadProgress): void => {
      perFile.push(p);
      aggregator.onProgress(p);
    };
    const m = await loadModelFolder(httpFolder(`${servers.whole}tiny/`, { onProgress }));
    const names = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'];
    for (const name of names) {
      const last = perFile.filter((p) => p.file === name).at(-1);
      expect(last).toMatchObject({ loaded: files[name].byteLength, total: files[name].byteLength, done: true });
    }
    const total = names.reduce((a, n) => a + files[n].byteLength, 0);
    expect(overall).toMatchObject({ loaded: total, total, done: true, etaSeconds: 0 });
    expect(m.checkpoint.names().length).toBeGreaterThan(0);
  });

  it('Range mode progress completes once every tensor was read', async () => {
    const perFile: DownloadProgress[] = [];
    const m = await loadModelFolder(httpFolder(`${servers.range}tiny/`, { onProgress: (p) => perFile.push(p) }));
    const weightsEvents = () => perFile.filter((p) => p.file === 'model.safetensors');
    expect(weightsEvents().at(-1)?.done).toBe(false);
    await Promise.all(m.checkpoint.names().map((n) => m.checkpoint.readTensor(n)));
    expect(weightsEvents().at(-1)).toMatchObject({ loaded: weights.byteLength, total: weights.byteLength, done: true });
  });

  it('cancels a folder download mid-way with a cancelled error', async () => {
    const c = new AbortController();
    let seen = 0;
    const folder = httpFolder(`${servers.slow}tiny/`, {
      signal: c.signal,
      onProgress: (p) => {
        if (p.file === 'model.safetensors' && p.loaded > 0 && ++seen === 2) c.abort();
      },
      progress: { intervalMs: 0 },
    });
    const e = await caught(() => loadModelFolder(folder));
    expect(e.code).toBe('cancelled');
    expect(e.message).toContain(`${servers.slow}tiny/model.safetensors`);
    expect(servers.bytesServed('model.safetensors')).toBeLessThan(weights.byteLength);
    expect(servers.requests.some((r) => r.path.endsWith('tokenizer.json'))).toBe(false);
  });

  it('says not-found for a folder whose files do not exist', async () => {
    const e = await caught(() => loadModelFolder(httpFolder(`${servers.missing}tiny/`)));
    expect(e.code).toBe('not-found');
    expect(e.message).toBe(`${servers.missing}tiny/config.json: file is missing`);
  });

  it('says network naming the file URL for a gated folder', async () => {
    const e = await caught(() => loadModelFolder(httpFolder(`${servers.status(403)}tiny/`)));
    expect(e.code).toBe('network');
    expect(e.message).toContain(`${servers.status(403)}tiny/config.json`);
  });
});

describe('httpFolder URLs', () => {
  it('joins and encodes paths under the prefix, keeping a query string', () => {
    const f = httpFolder('https://example.org/models/tiny?x=1#frag');
    expect(f.baseUrl).toBe('https://example.org/models/tiny/?x=1');
    expect(f.name).toBe('https://example.org/models/tiny');
    expect(f.urlOf('config.json')).toBe('https://example.org/models/tiny/config.json?x=1');
    expect(f.urlOf('sub dir/a#b.json')).toBe('https://example.org/models/tiny/sub%20dir/a%23b.json?x=1');
  });

  it('refuses paths that would leave the folder', async () => {
    const f = httpFolder('https://example.org/models/tiny/');
    for (const p of ['../secret.json', '/etc/passwd', 'a//b', 'a\\b']) {
      expect(() => f.urlOf(p)).toThrow(/is not a file path inside the folder/);
    }
  });
});
