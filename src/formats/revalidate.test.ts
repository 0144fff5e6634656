// URL models revalidate by ETag: a file replaced on the server (a new ETag) is downloaded again when
// the model is opened online; unchanged files are not; offline, the cached copy is served.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestModelFiles, writeModelFolder } from '../../scripts/make-test-model.ts';
import { memoryStore } from './cacheStore.ts';
import { httpFolder } from './httpFolder.ts';
import type { FetchLike } from './httpSource.ts';
import { loadModelFolder } from './modelFolder.ts';
import { startTestServers, type TestServers } from './testServers.ts';
import { cachedFolder } from './weightCache.ts';

const files = makeTestModelFiles({ seed: 2 });
let tmp = '';
let servers: TestServers;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'stepwise-revalidate-'));
  await writeModelFolder(tmp, files);
  servers = await startTestServers(tmp);
});
afterAll(async () => {
  await servers?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const offline: FetchLike = () => Promise.reject(new TypeError('fetch failed'));

describe('revalidation of URL models by ETag', () => {
  it('downloads a file again when the server has a new version, and only that file', async () => {
    const store = memoryStore();
    const open = (fetch?: FetchLike) =>
      loadModelFolder(
        cachedFolder(httpFolder(servers.range, { fetch }), { store, source: servers.range, revalidate: true }),
      );
    expect((await open()).config.raw.n_layer).toBe(2);

    const config = JSON.parse(new TextDecoder().decode(files['config.json'])) as Record<string, unknown>;
    await writeFile(join(tmp, 'config.json'), JSON.stringify({ ...config, n_positions: 32 }));
    servers.reset();
    const again = await open();
    expect(again.config.raw.n_positions).toBe(32);
    const downloads = servers.requests.filter((r) => r.range !== 'bytes=0-0').map((r) => r.path);
    expect(downloads).toEqual(['/range/config.json']); // the weights and tokenizer were only asked for their ETag

    servers.reset();
    const offlineCopy = await open(offline);
    expect(offlineCopy.config.raw.n_positions).toBe(32);
    expect(servers.requests).toEqual([]);
  });

  it('without revalidation (shipped and pinned models), the cached copy is served without asking', async () => {
    const store = memoryStore();
    const open = () => loadModelFolder(cachedFolder(httpFolder(servers.range), { store, source: servers.range }));
    await open();
    servers.reset();
    await open();
    expect(servers.requests).toEqual([]);
  });
});
