// Model source strings: shipped ids, URLs (http only for localhost), Hugging Face ids and paths are
// told apart by shape; resolveNodeSource then opens each kind (URLs through a local server).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestModelFiles, writeModelFolder } from '../../scripts/make-test-model.ts';
import { isStepwiseError, type StepwiseError } from '../shared/errors.ts';
import { loadModelFolder } from './modelFolder.ts';
import { resolveNodeSource } from './nodeResolve.ts';
import type { DownloadProgress } from './progress.ts';
import { classifySource } from './sourceString.ts';
import { startTestServers, type TestServers } from './testServers.ts';

function error(run: () => unknown): StepwiseError {
  try {
    run();
  } catch (e) {
    if (isStepwiseError(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}

async function rejected(run: () => Promise<unknown>): Promise<StepwiseError> {
  try {
    await run();
  } catch (e) {
    if (isStepwiseError(e)) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('classifySource', () => {
  it.each([
    ['brown-gpt2', { kind: 'shipped', id: 'brown-gpt2' }],
    ['tiny2', { kind: 'shipped', id: 'tiny2' }],
    ['https://example.org/models/tiny/', { kind: 'url', url: 'https://example.org/models/tiny/' }],
    ['HTTPS://Example.org/m', { kind: 'url', url: 'https://example.org/m' }],
    ['http://127.0.0.1:8080/m/', { kind: 'url', url: 'http://127.0.0.1:8080/m/' }],
    ['http://localhost/m', { kind: 'url', url: 'http://localhost/m' }],
    ['http://[::1]:9/m', { kind: 'url', url: 'http://[::1]:9/m' }],
    ['openai-community/gpt2', { kind: 'hub', hub: { org: 'openai-community', name: 'gpt2', revision: null } }],
    ['Org/Name@v1.0', { kind: 'hub', hub: { org: 'Org', name: 'Name', revision: 'v1.0' } }],
  ])('%s', (s, expected) => {
    expect(classifySource(s)).toEqual(expected);
    expect(classifySource(s, { paths: true })).toEqual(expected);
  });

  it.each(['./tiny', '../models/tiny', '/abs/tiny', '~/tiny', 'C:\\models\\tiny', 'models/a/b', 'My Model'])(
    'treats %j as a path in Node and refuses it in the browser',
    (s) => {
      expect(classifySource(s, { paths: true })).toEqual({ kind: 'path', path: s });
      const e = error(() => classifySource(s));
      expect(e.code).toBe('bad-input');
      expect(e.message).toContain('folder paths work only in the command line');
    },
  );

  it('refuses plain http to other hosts, other schemes, credentials and empty strings', () => {
    const http = error(() => classifySource('http://example.org/models/tiny/'));
    expect(http.code).toBe('bad-input');
    expect(http.message).toBe(
      '"http://example.org/models/tiny/": plain http:// is allowed only for localhost and 127.0.0.1',
    );
    expect(http.hint).toBe('use https://example.org/models/tiny/ instead');
    expect(error(() => classifySource('ftp://example.org/m')).message).toMatch(/ftp:\/\/ URLs are not supported/);
    expect(error(() => classifySource('https://u:p@example.org/m')).message).toMatch(/user name or password/);
    expect(error(() => classifySource('https://exa mple.org/')).message).toMatch(/is not a valid URL/);
    expect(error(() => classifySource('  ')).message).toBe('the model source is empty');
  });

  it('in the browser, says what is wrong with an almost-Hugging-Face id', () => {
    expect(error(() => classifySource('org/na!me')).message).toMatch(
      /is not a Hugging Face model id: "na!me" may hold only/,
    );
    expect(classifySource('org/na!me', { paths: true })).toEqual({ kind: 'path', path: 'org/na!me' });
  });
});

describe('resolveNodeSource', () => {
  let tmp = '';
  let servers: TestServers;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'stepwise-source-'));
    await writeModelFolder(join(tmp, 'tiny'), makeTestModelFiles());
    await writeModelFolder(join(tmp, 'shipped', 'tiny-gpt2'), makeTestModelFiles());
    servers = await startTestServers(tmp);
  });
  afterAll(async () => {
    await servers?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('opens a URL with progress', async () => {
    const events: DownloadProgress[] = [];
    const folder = await resolveNodeSource(`${servers.whole}tiny/`, { onProgress: (p) => events.push(p) });
    expect(folder.name).toBe(`${servers.whole}tiny`);
    await loadModelFolder(folder);
    expect(events.some((p) => p.file === 'model.safetensors' && p.done)).toBe(true);
  });

  it('cancels a URL load through the signal', async () => {
    const c = new AbortController();
    c.abort();
    const folder = await resolveNodeSource(`${servers.range}tiny/`, { signal: c.signal });
    expect((await rejected(() => loadModelFolder(folder))).code).toBe('cancelled');
  });

  it('opens shipped ids, then folders on disk', async () => {
    const shippedDir = join(tmp, 'shipped');
    expect((await resolveNodeSource('tiny-gpt2', { shippedDir })).name).toBe(join(shippedDir, 'tiny-gpt2'));
    const path = join(tmp, 'tiny');
    expect((await resolveNodeSource(path, { shippedDir })).name).toBe(path);
    const e = await rejected(() => resolveNodeSource('no-such-model', { shippedDir }));
    expect(e.code).toBe('not-found');
    expect(e.message).toBe('no-such-model: no shipped model or folder of that name');
  });

  it('prefers an existing folder over a Hugging Face id of the same shape', async () => {
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      await writeModelFolder(join(tmp, 'org', 'model'), makeTestModelFiles());
      const folder = await resolveNodeSource('org/model', { hfEndpoint: 'http://127.0.0.1:1' });
      expect(folder.name).toBe('org/model');
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses plain http to a remote host before any request', async () => {
    const e = await rejected(() => resolveNodeSource('http://example.org/tiny/'));
    expect(e.code).toBe('bad-input');
  });
});
