// Hugging Face model ids, `org/name[@revision]`. The revision (default "main") is pinned to a commit
// first — `GET {endpoint}/api/models/{org}/{name}/revision/{revision}` answers JSON with a `sha` —
// and every file is then read from `{endpoint}/{org}/{name}/resolve/{sha}/{file}`, so all files of a
// load come from one commit even if the branch moves meanwhile, and caches can key on the sha. A
// revision that already is a 40-hex sha is used as is. The endpoint is an option (tests point it at
// a local server; in Node, nodeResolve.ts also reads HF_ENDPOINT).

import { badInput, StepwiseError } from '../shared/errors.ts';
import { httpFolder, type HttpFolder } from './httpFolder.ts';
import {
  discard,
  httpRequest,
  readBody,
  redirectNote,
  statusError,
  type FetchLike,
  type HttpOptions,
} from './httpSource.ts';

export const HF_ENDPOINT = 'https://huggingface.co';

export interface HubId {
  org: string;
  name: string;
  /** As given, or null for the default branch. */
  revision: string | null;
}

export interface HubOptions extends HttpOptions {
  /** Default https://huggingface.co. */
  endpoint?: string;
  /** An access token for private and gated models (sent as `Authorization: Bearer …`, and only to an
   *  https endpoint: over plain http it would travel in clear text, so it is withheld). */
  token?: string;
}

export interface HubFolder extends HttpFolder {
  readonly id: HubId;
  /** The commit every file is read from. */
  readonly sha: string;
}

const SEGMENT = /^[A-Za-z0-9._-]+$/;
const REVISION = /^[A-Za-z0-9._/-]+$/;
const SHA = /^[0-9a-f]{40}$/i;

/** Whether `s` has the shape of a Hugging Face id (`org/name` or `org/name@revision`). */
export function looksLikeHubId(s: string): boolean {
  return hubIdProblem(s) === null;
}

/** Parses `org/name[@revision]`; bad-input saying what is wrong otherwise. */
export function parseHubId(s: string): HubId {
  const problem = hubIdProblem(s);
  if (problem) {
    throw badInput(
      `"${s}" is not a Hugging Face model id: ${problem}`,
      'write org/name or org/name@revision, e.g. openai-community/gpt2@main',
    );
  }
  const at = s.indexOf('@');
  const repo = at < 0 ? s : s.slice(0, at);
  const [org, name] = repo.split('/');
  return { org, name, revision: at < 0 ? null : s.slice(at + 1) };
}

function hubIdProblem(s: string): string | null {
  const at = s.indexOf('@');
  const repo = at < 0 ? s : s.slice(0, at);
  const parts = repo.split('/');
  if (parts.length !== 2) return 'it needs exactly two parts, org/name';
  for (const p of parts) {
    if (!SEGMENT.test(p)) return `"${p}" may hold only letters, digits, ".", "_" and "-"`;
    if (/^\.+$/.test(p)) return `"${p}" is not a name`;
  }
  if (at >= 0) {
    const rev = s.slice(at + 1);
    if (rev === '') return 'the revision after "@" is empty';
    if (!REVISION.test(rev) || rev.split('/').some((x) => x === '' || x === '.' || x === '..')) {
      return `the revision "${rev}" may hold only letters, digits, ".", "_", "-" and "/"`;
    }
  }
  return null;
}

/** `org/name` or `org/name@revision`. */
export function formatHubId(id: HubId): string {
  return `${id.org}/${id.name}${id.revision ? `@${id.revision}` : ''}`;
}

/** The endpoint without trailing slashes; bad-input when it is not an http(s) URL. */
export function normalizeEndpoint(endpoint: string): string {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw badInput(`Hugging Face endpoint "${endpoint}" is not a URL`, 'give e.g. https://huggingface.co');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw badInput(`Hugging Face endpoint "${endpoint}" is not an http(s) URL`, 'give e.g. https://huggingface.co');
  }
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/** Pins `id.revision` (default "main") to a commit sha through the Hub API. */
export async function resolveHubRevision(id: HubId, options: HubOptions = {}): Promise<string> {
  const revision = id.revision ?? 'main';
  if (SHA.test(revision)) return revision.toLowerCase();
  const endpoint = normalizeEndpoint(options.endpoint ?? HF_ENDPOINT);
  const repo = `${id.org}/${id.name}`;
  const url = `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
  const ctx = { url, fetch: fetchOf(options), signal: options.signal, headers: headersOf(options) };
  const res = await httpRequest(ctx, { accept: 'application/json' });
  if (!res.ok) {
    discard(res);
    const code = res.headers.get('x-error-code');
    if (code === 'RevisionNotFound') {
      throw new StepwiseError(
        'not-found',
        `Hugging Face model ${repo} has no revision "${revision}" (${url} answered ${res.status})`,
        'check the branch, tag or commit on the model page',
      );
    }
    if (res.status === 404 || code === 'RepoNotFound') {
      throw new StepwiseError(
        'not-found',
        `no Hugging Face model ${repo} (or it is private): ${url} answered ${res.status}`,
        tokenWithheld(options)
          ? `check the id on the model page; the access token was not sent, because ${endpoint} is not https`
          : 'check the id on the model page; a private model needs an access token (HF_TOKEN)',
      );
    }
    throw statusError(url, res);
  }
  const bytes = await readBody(ctx, res, null);
  let sha: unknown;
  try {
    sha = (JSON.parse(new TextDecoder().decode(bytes)) as { sha?: unknown }).sha;
  } catch {
    sha = undefined;
  }
  if (typeof sha !== 'string' || !SHA.test(sha)) {
    throw new StepwiseError(
      'network',
      `could not read ${url}${redirectNote(url, res)}: the answer has no commit sha`,
      'is the endpoint a Hugging Face Hub? check HF_ENDPOINT / the endpoint setting',
    );
  }
  return sha.toLowerCase();
}

/** `{endpoint}/{org}/{name}/resolve/{sha}/` — the prefix every file of that commit lives under. */
export function hubResolveBase(id: HubId, sha: string, endpoint = HF_ENDPOINT): string {
  return `${normalizeEndpoint(endpoint)}/${id.org}/${id.name}/resolve/${sha}/`;
}

/** A model folder over a Hugging Face model, pinned to one commit. */
export async function openHubFolder(id: string | HubId, options: HubOptions = {}): Promise<HubFolder> {
  const hub = typeof id === 'string' ? parseHubId(id) : id;
  const sha = await resolveHubRevision(hub, options);
  const folder = httpFolder(hubResolveBase(hub, sha, options.endpoint ?? HF_ENDPOINT), {
    ...options,
    headers: headersOf(options),
    name: formatHubId(hub),
  });
  return { ...folder, id: hub, sha };
}

function headersOf(options: HubOptions): Record<string, string> {
  const headers = { ...options.headers };
  if (options.token && !tokenWithheld(options)) headers.Authorization = `Bearer ${options.token}`;
  return headers;
}

/** A token is sent only over https (fetch drops it on a redirect to another origin, http included). */
function tokenWithheld(options: HubOptions): boolean {
  return (
    options.token !== undefined && new URL(normalizeEndpoint(options.endpoint ?? HF_ENDPOINT)).protocol !== 'https:'
  );
}

function fetchOf(options: HubOptions): FetchLike {
  return options.fetch ?? ((input, init) => fetch(input, init));
}
