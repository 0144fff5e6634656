// Hugging Face ids against a fake Hub on 127.0.0.1 (testServers.ts): ids are validated, the revision is
// pinned to a commit through the API and every file is read from resolve/<sha>/ (weights through a
// redirect to a "CDN", as on the real Hub); unknown repos and revisions are not-found, gated ones a
// network error; the endpoint comes from the option or, in Node, HF_ENDPOINT.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTestModelFiles, writeModelFolder } from '../../scripts/make-test-model.ts';
import { isStepwiseError, type StepwiseError } from '../shared/errors.ts';
import type { FetchLike } from './httpSource.ts';
import {
  formatHubId,
  hubResolveBase,
  normalizeEndpoint,
  openHubFolder,
  parseHubId,
  resolveHubRevision,
} from './hub.ts';
import { loadModelFolder, memoryFolder, type LoadedModel } from './modelFolder.ts';
import { resolveNodeSource } from './nodeResolve.ts';
import { startTestServers, type TestServers } from './testServers.ts';

const files = makeTestModelFiles();
let tmp = '';
let servers: TestServers;
let local: LoadedModel;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'stepwise-hub-'));
  await writeModelFolder(tmp, files);
  servers = await startTestServers(tmp);
  local = await loadModelFolder(memoryFolder('local', files));
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

describe('Hugging Face ids', () => {
  it('parses org/name with an optional revision', () => {
    expect(parseHubId('openai-community/gpt2')).toEqual({ org: 'openai-community', name: 'gpt2', revision: null });
    expect(parseHubId('Org_1/Name.v2-x@main')).toEqual({ org: 'Org_1', name: 'Name.v2-x', revision: 'main' });
    expect(parseHubId('a/b@refs/pr/1').revision).toBe('refs/pr/1');
    expect(formatHubId(parseHubId('a/b@v1.0'))).toBe('a/b@v1.0');
  });

  it.each(['gpt2', 'a/b/c', 'a b/c', 'a/b@', 'a/b@x y', '../b', 'a/..', 'a/b@../x', '/b', 'a/'])(
    'rejects %j with a bad-input error',
    (s) => {
      let error: unknown;
      try {
        parseHubId(s);
      } catch (e) {
        error = e;
      }
      expect(isStepwiseError(error) && error.code).toBe('bad-input');
      expect((error as StepwiseError).message).toContain(`"${s}" is not a Hugging Face model id`);
    },
  );

  it('normalizes endpoints and builds resolve URLs', () => {
    expect(normalizeEndpoint('https://hf-mirror.example.org/')).toBe('https://hf-mirror.example.org');
    expect(normalizeEndpoint('http://127.0.0.1:9/hub//')).toBe('http://127.0.0.1:9/hub');
    expect(() => normalizeEndpoint('ftp://x')).toThrow(/not an http\(s\) URL/);
    expect(hubResolveBase(parseHubId('a/b'), 'f'.repeat(40))).toBe(
      `https://huggingface.co/a/b/resolve/${'f'.repeat(40)}/`,
    );
  });
});

describe('the fake Hub', () => {
  it('pins the revision, then loads every file from resolve/<sha>/', async () => {
    const folder = await openHubFolder(servers.hubRepo, { endpoint: servers.hubEndpoint });
    expect(folder.sha).toBe(servers.hubSha);
    expect(folder.name).toBe(servers.hubRepo);
    const m = await loadModelFolder(folder);
    expect(m.config).toEqual(local.config);
    expect(m.checkpoint.names()).toEqual(local.checkpoint.names());
    expect((await m.checkpoint.readTensor('wte.weight')).data).toEqual(
      (await local.checkpoint.readTensor('wte.weight')).data,
    );
    const paths = servers.requests.map((r) => `${r.server} ${r.path}`);
    expect(paths[0]).toBe(`main /hub/api/models/${servers.hubRepo}/revision/main`);
    const mainFiles = servers.requests.filter((r) => r.server === 'main').slice(1);
    for (const r of mainFiles) expect(r.path).toContain(`/hub/${servers.hubRepo}/resolve/${servers.hubSha}/`);
    // Weights come through the redirect to the CDN, in Range mode.
    expect(servers.requests.filter((r) => r.server === 'cdn').every((r) => r.path === '/range/model.safetensors')).toBe(
      true,
    );
    expect(servers.requests.filter((r) => r.server === 'cdn').length).toBeGreaterThanOrEqual(4);
  });

  it('uses a 40-hex revision as is, without asking the API', async () => {
    const folder = await openHubFolder(`${servers.hubRepo}@${servers.hubSha.toUpperCase()}`, {
      endpoint: servers.hubEndpoint,
    });
    expect(folder.sha).toBe(servers.hubSha);
    expect(servers.requests).toHaveLength(0);
    expect((await loadModelFolder(folder)).checkpoint.names()).toEqual(local.checkpoint.names());
  });

  it('says not-found for an unknown repo', async () => {
    const e = await caught(() => openHubFolder('nobody/nothing', { endpoint: servers.hubEndpoint }));
    expect(e.code).toBe('not-found');
    expect(e.message).toMatch(/^no Hugging Face model nobody\/nothing \(or it is private\)/);
    expect(e.message).toContain(`${servers.hubEndpoint}/api/models/nobody/nothing/revision/main`);
  });

  it('says not-found for an unknown revision', async () => {
    const e = await caught(() =>
      resolveHubRevision(parseHubId(`${servers.hubRepo}@v9`), { endpoint: servers.hubEndpoint }),
    );
    expect(e.code).toBe('not-found');
    expect(e.message).toMatch(/has no revision "v9"/);
  });

  it('says a gated repo needs a token and the licence', async () => {
    const folder = await openHubFolder(servers.gatedRepo, { endpoint: servers.hubEndpoint });
    const e = await caught(() => loadModelFolder(folder));
    expect(e.code).toBe('network');
    expect(e.message).toContain(`${servers.hubEndpoint}/${servers.gatedRepo}/resolve/${servers.hubSha}/config.json`);
    expect(e.message).toMatch(
      /HTTP 403 Forbidden, the file is gated: it needs an access token and accepting its licence/,
    );
  });

  it('treats 401 RepoNotFound (the Hub hides private repos) as not-found and sends the token', async () => {
    const seen: (string | undefined)[] = [];
    const fetch: FetchLike = async (_url, init) => {
      seen.push((init?.headers as Record<string, string>).Authorization);
      return new Response('{}', { status: 401, headers: { 'X-Error-Code': 'RepoNotFound' } });
    };
    const e = await caught(() => openHubFolder('org/private', { fetch, token: 'hf_test' }));
    expect(e.code).toBe('not-found');
    expect(e.message).toContain('https://huggingface.co/api/models/org/private/revision/main');
    expect(seen).toEqual(['Bearer hf_test']);
  });

  it('sends the token only to an https endpoint: never over plain http', async () => {
    const seen: Record<string, string | undefined> = {};
    const fetch: FetchLike = async (url, init) => {
      seen[url] = (init?.headers as Record<string, string>).Authorization;
      return new Response('{}', { status: 401, headers: { 'X-Error-Code': 'RepoNotFound' } });
    };
    const plain = await caught(() =>
      openHubFolder('org/private', { fetch, token: 'hf_test', endpoint: 'http://hub.example.org' }),
    );
    await caught(() => openHubFolder('org/private', { fetch, token: 'hf_test', endpoint: 'https://hub.example.org' }));
    expect(seen).toEqual({
      'http://hub.example.org/api/models/org/private/revision/main': undefined,
      'https://hub.example.org/api/models/org/private/revision/main': 'Bearer hf_test',
    });
    expect(plain.hint).toMatch(/the access token was not sent, because http:\/\/hub\.example\.org is not https/);
  });

  it('does not send the token for the files of an http endpoint either', async () => {
    const folder = await openHubFolder(servers.hubRepo, { endpoint: servers.hubEndpoint, token: 'hf_test' });
    await loadModelFolder(folder);
    expect(servers.requests.length).toBeGreaterThan(3);
    expect(servers.requests.filter((r) => r.authorization !== undefined)).toEqual([]);
  });

  it('reports an answer without a sha as a network error', async () => {
    const fetch: FetchLike = async () => new Response('{"id": "a/b"}', { status: 200 });
    const e = await caught(() =>
      resolveHubRevision(parseHubId('a/b'), { fetch, endpoint: 'https://hub.example.org/' }),
    );
    expect(e.code).toBe('network');
    expect(e.message).toBe(
      'could not read https://hub.example.org/api/models/a/b/revision/main: the answer has no commit sha',
    );
  });
});

describe('resolveNodeSource with Hugging Face ids', () => {
  const saved = process.env.HF_ENDPOINT;
  afterEach(() => {
    if (saved === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = saved;
  });

  it('takes the endpoint from the option', async () => {
    const folder = await resolveNodeSource(`${servers.hubRepo}@main`, { hfEndpoint: servers.hubEndpoint });
    expect(folder.name).toBe(`${servers.hubRepo}@main`);
    expect((await loadModelFolder(folder)).config).toEqual(local.config);
  });

  it('takes the endpoint from HF_ENDPOINT', async () => {
    process.env.HF_ENDPOINT = servers.hubEndpoint;
    const folder = await resolveNodeSource(servers.hubRepo);
    expect((await loadModelFolder(folder)).checkpoint.names()).toEqual(local.checkpoint.names());
  });
});
