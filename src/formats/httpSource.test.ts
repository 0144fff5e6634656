// HTTP byte sources against real local servers (testServers.ts): Range mode reads only what is asked,
// whole mode downloads once, a server that stops honouring Range falls back, statuses and fetch
// failures become plain 'network' / 'not-found' errors naming the URL, and aborting cancels cleanly.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTestModelFiles, writeModelFolder } from '../../scripts/make-test-model.ts';
import { isStepwiseError, type StepwiseError } from '../shared/errors.ts';
import { openHttpSource, parseContentRange, type FetchLike } from './httpSource.ts';
import type { DownloadProgress } from './progress.ts';
import { startTestServers, type TestServers } from './testServers.ts';

const files = makeTestModelFiles();
const weights = files['model.safetensors'];
let tmp = '';
let servers: TestServers;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'stepwise-http-'));
  await writeModelFolder(tmp, { ...files, 'empty.bin': new Uint8Array(0) });
  servers = await startTestServers(tmp);
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

async function open(url: string, options: Parameters<typeof openHttpSource>[1] = {}) {
  const s = await openHttpSource(url, options);
  if (!s) throw new Error(`${url} is missing`);
  return s;
}

describe('Range mode', () => {
  it('probes with one byte, then reads exactly the requested bytes', async () => {
    const s = await open(`${servers.range}model.safetensors`);
    expect(s.mode).toBe('range');
    expect(s.size).toBe(weights.byteLength);
    expect(s.name).toBe('model.safetensors');
    expect(servers.bytesServed('model.safetensors')).toBe(1);
    expect(await s.read(100, 50)).toEqual(weights.subarray(100, 150));
    expect(await s.read(weights.byteLength - 10, 100)).toEqual(weights.subarray(weights.byteLength - 10));
    expect(await s.read(weights.byteLength, 10)).toEqual(new Uint8Array(0));
    expect(servers.bytesServed('model.safetensors')).toBe(1 + 50 + 10);
    expect(servers.requests.map((r) => r.range)).toEqual([
      'bytes=0-0',
      'bytes=100-149',
      `bytes=${weights.byteLength - 10}-${weights.byteLength - 1}`,
    ]);
  });

  it('opens an empty file (the probe is unsatisfiable) as size 0', async () => {
    const s = await open(`${servers.range}empty.bin`);
    expect(s.size).toBe(0);
    expect(await s.read(0, 10)).toEqual(new Uint8Array(0));
  });

  it('reports progress by distinct bytes and completes when every byte was read', async () => {
    const events: DownloadProgress[] = [];
    const s = await open(`${servers.range}model.safetensors`, { onProgress: (p) => events.push(p) });
    const half = Math.floor(s.size / 2);
    await s.read(0, half);
    await s.read(0, half); // again: not counted twice
    expect(events.at(-1)?.done).toBe(false);
    await s.read(half, s.size - half);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ file: 'model.safetensors', loaded: s.size, total: s.size, done: true, etaSeconds: 0 });
    expect(events.filter((e) => e.done)).toHaveLength(1);
    for (let i = 1; i < events.length; i++) expect(events[i].loaded).toBeGreaterThanOrEqual(events[i - 1].loaded);
  });

  it('falls back to one whole download when the server answers 200 to a later Range request', async () => {
    const s = await open(`${servers.rangeThenWhole}model.safetensors`);
    expect(s.mode).toBe('range');
    const [a, b] = await Promise.all([s.read(10, 20), s.read(1000, 24)]);
    expect(a).toEqual(weights.subarray(10, 30));
    expect(b).toEqual(weights.subarray(1000, 1024));
    expect(s.mode).toBe('whole');
    const served = servers.requests.length;
    expect(await s.read(5, 5)).toEqual(weights.subarray(5, 10));
    expect(servers.requests.length).toBe(served); // served from memory
  });

  it('rejects a Range answer for other bytes, a changed file and a short body', async () => {
    const size = 1000;
    const respond = (status: number, headers: Record<string, string>, body: Uint8Array<ArrayBuffer>): Response =>
      new Response(body, { status, headers });
    const fake =
      (answer: (range: string) => Response): FetchLike =>
      async (_url, init) => {
        const range = (init?.headers as Record<string, string>).Range;
        if (range === 'bytes=0-0') return respond(206, { 'Content-Range': `bytes 0-0/${size}` }, new Uint8Array(1));
        return answer(range);
      };
    const url = 'https://example.org/m/model.safetensors';
    const wrongBytes = await open(url, {
      fetch: fake(() => respond(206, { 'Content-Range': `bytes 0-9/${size}` }, new Uint8Array(10))),
    });
    const e1 = await caught(() => wrongBytes.read(10, 10));
    expect(e1.code).toBe('network');
    expect(e1.message).toContain(url);
    expect(e1.message).toMatch(/asked for bytes 10–19, the server sent bytes 0–9/);
    const changed = await open(url, {
      fetch: fake(() => respond(206, { 'Content-Range': `bytes 10-19/2000` }, new Uint8Array(10))),
    });
    expect((await caught(() => changed.read(10, 10))).message).toMatch(/changed on the server/);
    const short = await open(url, { fetch: fake(() => respond(206, {}, new Uint8Array(4))) });
    const e3 = await caught(() => short.read(10, 10));
    expect(e3.code).toBe('network');
    expect(e3.message).toMatch(/ended early: got 4 of 10 bytes/);
  });
});

describe('whole mode', () => {
  it('downloads a server that ignores Range once and serves reads from memory', async () => {
    const events: DownloadProgress[] = [];
    const s = await open(`${servers.whole}model.safetensors`, { onProgress: (p) => events.push(p) });
    expect(s.mode).toBe('whole');
    expect(s.size).toBe(weights.byteLength);
    expect(servers.bytesServed('model.safetensors')).toBe(weights.byteLength);
    expect(await s.read(0, s.size)).toEqual(weights);
    expect(await s.read(7, 9)).toEqual(weights.subarray(7, 16));
    expect(servers.requests).toHaveLength(1);
    expect(events[0]).toMatchObject({ loaded: 0, total: s.size, done: false });
    expect(events.at(-1)).toMatchObject({ loaded: s.size, total: s.size, done: true, etaSeconds: 0 });
    expect(events.filter((e) => e.done)).toHaveLength(1);
  });

  it('uses the body length when the size is unknown (a 206 without Content-Range)', async () => {
    const body = new Uint8Array([1, 2, 3, 4, 5]);
    const fetch: FetchLike = async (_url, init) => {
      const range = (init?.headers as Record<string, string>).Range;
      return range ? new Response(body.subarray(0, 1), { status: 206 }) : new Response(body, { status: 200 });
    };
    const s = await open('https://example.org/x.bin', { fetch });
    expect(s.mode).toBe('whole');
    expect(s.size).toBe(5);
    expect(await s.read(1, 3)).toEqual(new Uint8Array([2, 3, 4]));
  });
});

describe('errors', () => {
  it('answers null for a 404', async () => {
    expect(await openHttpSource(`${servers.range}nope.json`)).toBeNull();
    expect(await openHttpSource(`${servers.missing}config.json`)).toBeNull();
  });

  it.each([
    [401, /HTTP 401 Unauthorized, the file is gated or private/, /access token/],
    [403, /HTTP 403 Forbidden, the file is gated or private/, /licence/],
    [429, /HTTP 429 Too Many Requests, too many requests/, /wait/],
    [500, /HTTP 500 Internal Server Error, the server failed/, /later/],
    [418, /unexpected answer HTTP 418/, /URL/],
  ])('turns HTTP %i into a network error naming the URL', async (status, message, hint) => {
    const url = `${servers.status(status)}config.json`;
    const e = await caught(() => openHttpSource(url));
    expect(e.code).toBe('network');
    expect(e.message).toContain(url);
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(hint);
  });

  it('names the redirect target host in errors after a redirect', async () => {
    const url = `${servers.mainOrigin}/redirect/status/403/config.json`;
    const e = await caught(() => openHttpSource(url));
    expect(e.code).toBe('network');
    expect(e.message).toContain(`could not read ${url} (after a redirect to ${new URL(servers.cdnOrigin).host})`);
  });

  it('explains a fetch TypeError (what browsers throw for CORS) as unreachable or CORS', async () => {
    const url = 'https://models.example.org/tiny/config.json';
    const e = await caught(() =>
      openHttpSource(url, { fetch: () => Promise.reject(new TypeError('Failed to fetch')) }),
    );
    expect(e.code).toBe('network');
    expect(e.message).toBe(
      `could not read ${url}: the server is unreachable or does not allow this page to read it (CORS) (Failed to fetch)`,
    );
    expect(e.hint).toMatch(/Access-Control-Allow-Origin/);
  });

  it('reports an unreachable local server as a network error', async () => {
    const probe = await startTestServers(tmp);
    const url = `${probe.range}config.json`;
    await probe.close();
    const e = await caught(() => openHttpSource(url));
    expect(e.code).toBe('network');
    expect(e.message).toContain(url);
    expect(e.message).toMatch(/unreachable.*ECONNREFUSED/);
  });
});

describe('cancelling', () => {
  it('rejects with cancelled when aborted before the request', async () => {
    const c = new AbortController();
    c.abort();
    const e = await caught(() => openHttpSource(`${servers.range}config.json`, { signal: c.signal }));
    expect(e.code).toBe('cancelled');
    expect(e.message).toContain(`${servers.range}config.json`);
    expect(servers.requests).toHaveLength(0);
  });

  it('cancels a whole download mid-way and reports nothing after', async () => {
    const c = new AbortController();
    const events: DownloadProgress[] = [];
    const pending = openHttpSource(`${servers.slow}model.safetensors`, {
      signal: c.signal,
      progress: { intervalMs: 0 },
      onProgress: (p) => {
        events.push(p);
        if (p.loaded > 0) c.abort();
      },
    });
    const e = await caught(() => pending);
    expect(e.code).toBe('cancelled');
    const seen = events.length;
    expect(events.at(-1)!.loaded).toBeLessThan(weights.byteLength);
    await new Promise((r) => setTimeout(r, 50));
    expect(events.length).toBe(seen);
    expect(servers.bytesServed('model.safetensors')).toBeLessThan(weights.byteLength);
  });

  it('makes a Range source unusable after an abort', async () => {
    const c = new AbortController();
    const s = await open(`${servers.range}model.safetensors`, { signal: c.signal });
    expect(await s.read(0, 8)).toEqual(weights.subarray(0, 8));
    c.abort();
    expect((await caught(() => s.read(0, 8))).code).toBe('cancelled');
  });

  it('drops a downloaded whole file after an abort', async () => {
    const c = new AbortController();
    const s = await open(`${servers.whole}config.json`, { signal: c.signal });
    expect((await s.read(0, 1))[0]).toBe('{'.charCodeAt(0));
    c.abort();
    expect((await caught(() => s.read(0, 1))).code).toBe('cancelled');
  });
});

describe('parseContentRange', () => {
  it('reads the forms servers send', () => {
    expect(parseContentRange('bytes 0-0/1234')).toEqual({ start: 0, end: 0, total: 1234 });
    expect(parseContentRange('bytes 5-9/*')).toEqual({ start: 5, end: 9, total: null });
    expect(parseContentRange('bytes */77')).toEqual({ start: null, end: null, total: 77 });
    expect(parseContentRange(null)).toBeNull();
    expect(parseContentRange('items 0-1/2')).toBeNull();
  });
});
