// A ByteSource over an HTTP(S) URL, on the global `fetch` (browsers and Node alike; injectable for
// tests). Opening probes with `GET` + `Range: bytes=0-0`:
//   206 + `Content-Range: bytes 0-0/SIZE` → Range mode: each read is one Range request, checked
//       (status, Content-Range, length); a server that later answers 200 falls back to whole mode;
//   200 (Range ignored), or no usable size → whole mode: the body is downloaded once, streamed with
//       progress, and reads are served from memory;
//   404 / 410 → null (the file does not exist); any other status → a 'network' error in plain words.
// A TypeError from fetch (a CORS block or an unreachable host, in a browser) becomes a 'network'
// error that says so. An AbortSignal cancels everything: the pending request rejects with a
// 'cancelled' error and the source is dead afterwards (no half-downloaded bytes are ever served).

import type { ByteSource } from './byteSource.ts';
import { notFound } from './fileErrors.ts';
import { ProgressMeter, type ProgressCallback, type ProgressOptions } from './progress.ts';
import { StepwiseError } from '../shared/errors.ts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  /** The fetch to use (default: the global one). */
  fetch?: FetchLike;
  /** Cancels the open and every later read of the source. */
  signal?: AbortSignal;
  /** Per-file download progress. */
  onProgress?: ProgressCallback;
  /** Throttle and rate window of the progress reports. */
  progress?: ProgressOptions;
  /** Extra request headers (e.g. Authorization for a private Hugging Face model). */
  headers?: Record<string, string>;
}

export interface HttpSourceOptions extends HttpOptions {
  /** The name in messages and progress reports (default: the last segment of the URL's path). */
  name?: string;
}

export interface HttpByteSource extends ByteSource {
  readonly url: string;
  /** 'range' while reads are Range requests, 'whole' once the file is held in memory. */
  readonly mode: 'range' | 'whole';
  /** The server's ETag for the file (its version), or null when it sends none. */
  readonly etag: string | null;
}

interface Ctx {
  url: string;
  name: string;
  fetch: FetchLike;
  signal: AbortSignal | undefined;
  headers: Record<string, string>;
}

/** Opens `url` as a ByteSource; null when the server says the file does not exist (404 / 410). */
export async function openHttpSource(url: string, options: HttpSourceOptions = {}): Promise<HttpByteSource | null> {
  const ctx: Ctx = {
    url,
    name: options.name ?? defaultName(url),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    signal: options.signal,
    headers: options.headers ?? {},
  };
  const probe = await httpRequest(ctx, { range: [0, 0] });
  if (probe.status === 404 || probe.status === 410) {
    discard(probe);
    return null;
  }
  const range = parseContentRange(probe.headers.get('content-range'));
  if (probe.status === 206 && range && range.start === 0 && range.end === 0 && range.total !== null) {
    discard(probe);
    return new HttpSource(ctx, range.total, null, probe.headers.get('etag'), options);
  }
  if (probe.status === 416 && range && range.total === 0) {
    discard(probe); // an empty file: nothing is satisfiable, nothing to fetch
    return new HttpSource(ctx, 0, new Uint8Array(0), probe.headers.get('etag'), options);
  }
  if (probe.status === 200) return downloadWhole(ctx, probe, options);
  if (probe.status === 206 || probe.status === 416) {
    // Range half-works (no readable size, or an odd answer): fetch the whole file instead.
    discard(probe);
    const res = await httpRequest(ctx, {});
    if (res.status === 404 || res.status === 410) {
      discard(res);
      return null;
    }
    if (res.status !== 200) throw statusError(ctx.url, res);
    return downloadWhole(ctx, res, options);
  }
  discard(probe);
  throw statusError(ctx.url, probe);
}

async function downloadWhole(ctx: Ctx, res: Response, options: HttpSourceOptions): Promise<HttpSource> {
  const expected = bodyLength(res);
  const meter = new ProgressMeter(ctx.name, expected, options.onProgress, options.progress);
  meter.start();
  let bytes: Uint8Array;
  try {
    bytes = await readBody(ctx, res, expected, (n) => meter.set(n));
  } catch (e) {
    meter.stop();
    throw e;
  }
  if (expected !== null && bytes.byteLength !== expected) {
    meter.stop();
    throw shortBody(ctx.url, res, bytes.byteLength, expected);
  }
  meter.finish();
  return new HttpSource(ctx, bytes.byteLength, bytes, res.headers.get('etag'), options, meter);
}

class HttpSource implements HttpByteSource {
  readonly name: string;
  readonly url: string;
  private data: Uint8Array | null;
  private whole: Promise<Uint8Array> | null = null;
  private dead: StepwiseError | null = null;
  private readonly meter: ProgressMeter;
  private readonly covered = new Coverage();

  constructor(
    private readonly ctx: Ctx,
    readonly size: number,
    data: Uint8Array | null,
    readonly etag: string | null,
    options: HttpSourceOptions,
    meter?: ProgressMeter,
  ) {
    this.name = ctx.name;
    this.url = ctx.url;
    this.data = data;
    if (data) this.whole = Promise.resolve(data);
    this.meter = meter ?? new ProgressMeter(ctx.name, size, options.onProgress, options.progress);
    if (!meter) {
      if (size === 0 || data) this.meter.finish();
      else this.meter.start();
    }
    if (ctx.signal?.aborted) this.kill(cancelled(ctx.url));
    else ctx.signal?.addEventListener('abort', () => this.kill(cancelled(ctx.url)), { once: true });
  }

  get mode(): 'range' | 'whole' {
    return this.data || this.whole ? 'whole' : 'range';
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (this.dead) throw this.dead;
    const end = Math.min(this.size, offset + length);
    if (offset < 0 || length < 0 || end <= offset) return new Uint8Array(0);
    if (this.whole) return (await this.whole).subarray(offset, end);
    const res = await httpRequest(this.ctx, { range: [offset, end - 1] });
    if (res.status === 206) return this.readRange(res, offset, end);
    if (res.status === 200) {
      // The server stopped honouring Range: take this whole body and serve every read from memory.
      return (await this.fallBackToWhole(res)).subarray(offset, end);
    }
    discard(res);
    if (res.status === 404 || res.status === 410) {
      throw notFound(
        this.url,
        `the file disappeared from the server (HTTP ${res.status})${redirectNote(this.url, res)}`,
      );
    }
    throw statusError(this.url, res);
  }

  private async readRange(res: Response, offset: number, end: number): Promise<Uint8Array> {
    const range = parseContentRange(res.headers.get('content-range'));
    if (range && range.total !== null && range.total !== this.size) {
      discard(res);
      throw new StepwiseError(
        'network',
        `could not read ${this.url}${redirectNote(this.url, res)}: the file changed on the server while reading (${this.size} bytes, now ${range.total})`,
        'load the model again',
      );
    }
    if (range && (range.start !== offset || range.end !== end - 1)) {
      discard(res);
      throw new StepwiseError(
        'network',
        `could not read ${this.url}${redirectNote(this.url, res)}: asked for bytes ${offset}–${end - 1}, the server sent bytes ${range.start ?? '?'}–${range.end ?? '?'}`,
        'the server does not handle Range requests correctly: download the files and open the folder instead',
      );
    }
    const bytes = await readBody(this.ctx, res, end - offset, (n, prev) => {
      this.meter.add(this.covered.add(offset + prev, offset + n));
    });
    if (bytes.byteLength !== end - offset) throw shortBody(this.url, res, bytes.byteLength, end - offset);
    return bytes;
  }

  private async fallBackToWhole(res: Response): Promise<Uint8Array> {
    if (this.whole) {
      discard(res);
      return this.whole;
    }
    const download = (async () => {
      const expected = bodyLength(res) ?? this.size;
      const bytes = await readBody(this.ctx, res, expected, (n) => this.meter.set(n));
      if (bytes.byteLength !== this.size) throw shortBody(this.url, res, bytes.byteLength, this.size);
      this.meter.finish();
      this.data = bytes;
      return bytes;
    })();
    this.whole = download;
    download.catch((e: unknown) => {
      // A failed fallback download is forgotten, so a later read may try again (unless cancelled).
      if (this.whole === download) this.whole = null;
      if (e instanceof StepwiseError && e.code === 'cancelled') this.kill(e);
    });
    return download;
  }

  private kill(e: StepwiseError): void {
    if (this.dead) return;
    this.dead = e;
    this.data = null;
    this.whole = null;
    this.meter.stop();
  }
}

/** Which bytes of a file were received, to count each byte once in progress. */
class Coverage {
  private spans: [number, number][] = []; // sorted, disjoint [begin, end)

  /** Adds [begin, end); returns how many of those bytes are new. */
  add(begin: number, end: number): number {
    if (end <= begin) return 0;
    let added = end - begin;
    const out: [number, number][] = [];
    let b = begin;
    let e = end;
    for (const [sb, se] of this.spans) {
      if (se < b || sb > e) {
        out.push([sb, se]);
        continue;
      }
      added -= Math.max(0, Math.min(se, end) - Math.max(sb, begin));
      b = Math.min(b, sb);
      e = Math.max(e, se);
    }
    out.push([b, e]);
    out.sort((x, y) => x[0] - y[0]);
    this.spans = out;
    return added;
  }
}

// ---- requests, bodies and errors, shared with httpFolder.ts and hub.ts ----

/** One GET (with an optional inclusive byte range); fetch failures become typed errors. */
export async function httpRequest(
  ctx: Pick<Ctx, 'url' | 'fetch' | 'signal' | 'headers'>,
  init: { range?: [number, number]; accept?: string },
): Promise<Response> {
  if (ctx.signal?.aborted) throw cancelled(ctx.url);
  const headers: Record<string, string> = { ...ctx.headers };
  if (init.range) headers.Range = `bytes=${init.range[0]}-${init.range[1]}`;
  if (init.accept) headers.Accept = init.accept;
  try {
    return await ctx.fetch(ctx.url, { headers, signal: ctx.signal, redirect: 'follow' });
  } catch (e) {
    throw fetchError(ctx.url, e, ctx.signal);
  }
}

/**
 * Reads a response body in chunks, reporting the running byte count (and the previous count). With
 * `expected`, the bytes go straight into a buffer of that size; more bytes than that is an error.
 */
export async function readBody(
  ctx: Pick<Ctx, 'url' | 'signal'>,
  res: Response,
  expected: number | null,
  onBytes?: (loaded: number, previous: number) => void,
): Promise<Uint8Array> {
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer().catch((e: unknown) => rethrowBody(ctx, res, e)));
    onBytes?.(bytes.byteLength, 0);
    return bytes;
  }
  const reader = res.body.getReader();
  const buffer = expected !== null ? new Uint8Array(expected) : null;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  try {
    for (;;) {
      if (ctx.signal?.aborted) throw cancelled(ctx.url);
      const { done, value } = await reader.read().catch((e: unknown) => rethrowBody(ctx, res, e));
      if (done) break;
      if (buffer) {
        if (loaded + value.byteLength > buffer.byteLength) {
          throw new StepwiseError(
            'network',
            `could not read ${ctx.url}${redirectNote(ctx.url, res)}: the server sent more than the ${buffer.byteLength} bytes it announced`,
            'the server answers inconsistently: try again, or download the files and open the folder',
          );
        }
        buffer.set(value, loaded);
      } else {
        chunks.push(value);
      }
      const previous = loaded;
      loaded += value.byteLength;
      onBytes?.(loaded, previous);
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    throw e;
  }
  if (buffer) return loaded === buffer.byteLength ? buffer : buffer.subarray(0, loaded);
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function rethrowBody(ctx: Pick<Ctx, 'url' | 'signal'>, res: Response, e: unknown): never {
  if (ctx.signal?.aborted || isAbort(e)) throw cancelled(ctx.url);
  throw new StepwiseError(
    'network',
    `could not read ${ctx.url}${redirectNote(ctx.url, res)}: the connection broke during the download (${errorText(e)})`,
    'check your connection and try again',
  );
}

/** The error for a failed fetch() call (no response at all). */
export function fetchError(url: string, e: unknown, signal?: AbortSignal): StepwiseError {
  if (e instanceof StepwiseError) return e;
  if (signal?.aborted || isAbort(e)) return cancelled(url);
  if (e instanceof TypeError) {
    const cause = (e as { cause?: unknown }).cause;
    const detail = cause !== undefined ? ` (${errorText(cause)})` : e.message ? ` (${e.message})` : '';
    return new StepwiseError(
      'network',
      `could not read ${url}: the server is unreachable or does not allow this page to read it (CORS)${detail}`,
      'check the address and your connection; in the browser the server must send Access-Control-Allow-Origin (and allow the Range header), else download the files and open the folder',
    );
  }
  return new StepwiseError(
    'network',
    `could not read ${url}: ${errorText(e)}`,
    'check the address and your connection',
  );
}

/** The error for an HTTP status that is not a success (404 included, for callers that need the file). */
export function statusError(url: string, res: Response): StepwiseError {
  const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  const at = `${url}${redirectNote(url, res)}`;
  const code = res.headers.get('x-error-code');
  if (res.status === 404 || res.status === 410) {
    return new StepwiseError('not-found', `${at}: no such file (${status})`, 'check the URL');
  }
  if (res.status === 401 || res.status === 403) {
    const gated =
      code === 'GatedRepo' ? 'gated: it needs an access token and accepting its licence' : 'gated or private';
    return new StepwiseError(
      'network',
      `could not read ${at}: ${status}, the file is ${gated}`,
      'it needs an access token (HF_TOKEN for Hugging Face) and, for a gated model, accepting its licence on the model page; or download the files and open the folder',
    );
  }
  if (res.status === 429) {
    return new StepwiseError(
      'network',
      `could not read ${at}: ${status}, too many requests`,
      'the server is rate-limiting downloads: wait a minute and try again',
    );
  }
  if (res.status >= 500) {
    return new StepwiseError(
      'network',
      `could not read ${at}: ${status}, the server failed`,
      'the server has a problem: try again later',
    );
  }
  return new StepwiseError('network', `could not read ${at}: unexpected answer ${status}`, 'check the URL');
}

function shortBody(url: string, res: Response, got: number, expected: number): StepwiseError {
  return new StepwiseError(
    'network',
    `could not read ${url}${redirectNote(url, res)}: the download ended early: got ${got} of ${expected} bytes`,
    'the connection broke or the server answers inconsistently: try again',
  );
}

export function cancelled(url: string): StepwiseError {
  return new StepwiseError('cancelled', `download of ${url} cancelled`);
}

/** " after a redirect to <host>" when the response came from another URL, else "". */
export function redirectNote(url: string, res: Response): string {
  if (!res.url || res.url === url) return '';
  try {
    const to = new URL(res.url);
    const from = new URL(url);
    return to.host === from.host ? ` (after a redirect to ${to.pathname})` : ` (after a redirect to ${to.host})`;
  } catch {
    return '';
  }
}

/** Drops a response body we will not read (frees the connection). */
export function discard(res: Response): void {
  res.body?.cancel().catch(() => undefined);
}

/** Parses `bytes START-END/TOTAL` (TOTAL may be `*`) and the unsatisfied-range form `bytes *\/TOTAL`. */
export function parseContentRange(
  value: string | null,
): { start: number; end: number; total: number | null } | { start: null; end: null; total: number } | null {
  if (!value) return null;
  const m = /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)\s*$/i.exec(value);
  if (!m) return null;
  const total = m[3] === '*' ? null : Number(m[3]);
  if (m[1] === undefined) return total === null ? null : { start: null, end: null, total };
  return { start: Number(m[1]), end: Number(m[2]), total };
}

/** The body's length from Content-Length, or null when unknown or compressed (then it is not the file size). */
function bodyLength(res: Response): number | null {
  const encoding = res.headers.get('content-encoding');
  if (encoding && encoding.toLowerCase() !== 'identity') return null;
  const v = res.headers.get('content-length');
  if (v === null || !/^\d+$/.test(v.trim())) return null;
  return Number(v);
}

function defaultName(url: string): string {
  try {
    const parts = new URL(url).pathname.split('/').filter((p) => p !== '');
    return parts.length > 0 ? decodeURIComponent(parts[parts.length - 1]) : url;
  } catch {
    return url;
  }
}

function isAbort(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}
