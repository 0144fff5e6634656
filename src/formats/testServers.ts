// Local HTTP servers for tests of URL and Hugging Face sources (Vitest here, Playwright e2e later).
// `startTestServers(dir)` serves the files of `dir` on 127.0.0.1, on two ephemeral ports ("main" and
// a "cdn" for redirects), with one behaviour per path prefix — each prefix is a model-folder URL:
//
//   range/            honours Range (206 + Content-Range), CORS headers
//   whole/            ignores Range: 200 with the whole body, CORS headers
//   missing/          404 for every file, CORS headers
//   nocors/           honours Range, but no CORS headers at all (a browser must refuse to read it)
//   redirect/<rest>   302 to the cdn server's /<rest> (another host:port), CORS headers; the
//                     `redirect` URL below is redirect/range/, redirect/status/403/ etc. work too
//   range-then-whole/ 206 to the `bytes=0-0` probe, then 200 whole bodies to every other Range request
//   slow/             like whole/, but the body trickles out in small chunks (cancel tests)
//   status/<code>/    answers <code> (401, 403, 429, 500 …) to everything
//   hub/              a fake Hugging Face endpoint: api/models/{org}/{name}/revision/{rev} → {"sha"},
//                     {org}/{name}/resolve/{rev}/{file} → the file (".safetensors" via a 302 to the
//                     cdn, as the real Hub does); repo `hubRepo` exists, `gatedRepo` answers 403
//                     GatedRepo on files, anything else 404 RepoNotFound.
//
// Every request is logged with the body bytes sent, so tests can check what a load downloaded.
// Node only (node:http); nothing in the app imports it.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TestServerOptions {
  /** The model id the fake Hub knows (default "stepwise-test/tiny"). */
  hubRepo?: string;
  /** Its commit for revision "main" (default a fixed 40-hex string). */
  hubSha?: string;
  /** A repo whose files answer 403 GatedRepo (default "stepwise-test/gated"). */
  gatedRepo?: string;
  /** slow/: bytes per chunk and pause between chunks (default 2048 bytes, 15 ms). */
  slowChunkBytes?: number;
  slowDelayMs?: number;
}

export interface ServedRequest {
  server: 'main' | 'cdn';
  method: string;
  path: string;
  range: string | null;
  status: number;
  /** Body bytes written (for an aborted download, what was sent before the client left). */
  bytes: number;
  /** The Authorization header, when one was sent. */
  authorization?: string;
}

export interface TestServers {
  range: string;
  whole: string;
  missing: string;
  noCors: string;
  redirect: string;
  rangeThenWhole: string;
  slow: string;
  /** status/<code>/ */
  status(code: number): string;
  /** The fake Hugging Face endpoint (no trailing slash). */
  hubEndpoint: string;
  hubRepo: string;
  hubSha: string;
  gatedRepo: string;
  /** origin of the main and cdn servers */
  mainOrigin: string;
  cdnOrigin: string;
  /** Every request so far, in order of arrival. */
  requests: ServedRequest[];
  /** Body bytes sent for requests whose path ends with `/file` (all requests without a file). */
  bytesServed(file?: string): number;
  reset(): void;
  close(): Promise<void>;
}

const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
  'Access-Control-Allow-Headers': 'Range, Authorization, Accept',
  'Access-Control-Expose-Headers':
    'Content-Range, Content-Length, Accept-Ranges, ETag, X-Error-Code, X-Repo-Commit, X-Linked-Size',
};

export async function startTestServers(dir: string, options: TestServerOptions = {}): Promise<TestServers> {
  const hubRepo = options.hubRepo ?? 'stepwise-test/tiny';
  const hubSha = options.hubSha ?? '0123456789abcdef0123456789abcdef01234567';
  const gatedRepo = options.gatedRepo ?? 'stepwise-test/gated';
  const slowChunk = options.slowChunkBytes ?? 2048;
  const slowDelay = options.slowDelayMs ?? 15;
  const requests: ServedRequest[] = [];
  const origins = { main: '', cdn: '' };

  const handler = (which: 'main' | 'cdn') => (req: IncomingMessage, res: ServerResponse) => {
    // Logged on arrival and updated as bytes are written, so a client that has its bytes sees them counted.
    const entry: ServedRequest = {
      server: which,
      method: req.method ?? 'GET',
      path: decodeURIComponent((req.url ?? '/').split('?')[0]),
      range: req.headers.range ?? null,
      status: 0,
      bytes: 0,
      ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
    };
    requests.push(entry);
    const send = {
      chunk: (c: Uint8Array): boolean => {
        entry.status = res.statusCode;
        entry.bytes += c.byteLength;
        return res.write(c);
      },
      end: (c?: Uint8Array): void => {
        entry.status = res.statusCode;
        if (c) {
          entry.bytes += c.byteLength;
          res.end(c);
        } else {
          res.end();
        }
      },
    };
    route(req, res, send, which).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(e));
    });
  };

  interface Send {
    chunk(c: Uint8Array): boolean;
    end(c?: Uint8Array): void;
  }

  async function route(req: IncomingMessage, res: ServerResponse, send: Send, which: 'main' | 'cdn'): Promise<void> {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const [, prefix = '', ...rest] = path.split('/');
    const cors = prefix !== 'nocors';
    if (cors) for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v);
    if (req.method === 'OPTIONS') {
      res.writeHead(204);
      send.end();
      return;
    }
    const file = rest.join('/');
    switch (prefix) {
      case 'range':
      case 'nocors':
        return serveFile(req, res, send, file, 'range');
      case 'whole':
        return serveFile(req, res, send, file, 'whole');
      case 'slow':
        return serveFile(req, res, send, file, 'slow');
      case 'range-then-whole':
        return serveFile(req, res, send, file, req.headers.range === 'bytes=0-0' ? 'range' : 'whole');
      case 'missing':
        return plain(res, send, 404, 'not found');
      case 'redirect':
        res.writeHead(302, { Location: `${origins.cdn}/${rest.map(encodeURIComponent).join('/')}` });
        send.end();
        return;
      case 'status': {
        const code = Number(rest[0]);
        return plain(res, send, Number.isInteger(code) && code >= 200 && code <= 599 ? code : 400, 'status');
      }
      case 'hub':
        return hub(req, res, send, rest, which);
      default:
        return plain(res, send, 404, 'unknown prefix');
    }
  }

  async function hub(
    req: IncomingMessage,
    res: ServerResponse,
    send: Send,
    parts: string[],
    which: 'main' | 'cdn',
  ): Promise<void> {
    const error = (status: number, code: string): void => {
      res.setHeader('X-Error-Code', code);
      plain(res, send, status, code);
    };
    if (parts[0] === 'api' && parts[1] === 'models' && parts[4] === 'revision') {
      const repo = `${parts[2]}/${parts[3]}`;
      const rev = parts.slice(5).join('/');
      if (repo !== hubRepo && repo !== gatedRepo) return error(404, 'RepoNotFound');
      if (rev !== 'main' && rev !== hubSha) return error(404, 'RevisionNotFound');
      const body = new TextEncoder().encode(JSON.stringify({ id: repo, sha: hubSha, siblings: [] }));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.byteLength });
      send.end(body);
      return;
    }
    if (parts[2] === 'resolve') {
      const repo = `${parts[0]}/${parts[1]}`;
      const rev = parts[3];
      const file = parts.slice(4).join('/');
      if (repo === gatedRepo) return error(403, 'GatedRepo');
      if (repo !== hubRepo) return error(404, 'RepoNotFound');
      if (rev !== 'main' && rev !== hubSha) return error(404, 'RevisionNotFound');
      res.setHeader('X-Repo-Commit', hubSha);
      if (file.endsWith('.safetensors') && which === 'main') {
        res.writeHead(302, { Location: `${origins.cdn}/range/${file.split('/').map(encodeURIComponent).join('/')}` });
        send.end();
        return;
      }
      const served = await serveFile(req, res, send, file, 'range', true);
      return served;
    }
    return error(404, 'EntryNotFound');
  }

  async function serveFile(
    req: IncomingMessage,
    res: ServerResponse,
    send: Send,
    file: string,
    mode: 'range' | 'whole' | 'slow',
    hubStyle = false,
  ): Promise<void> {
    const bytes = await readServed(dir, file);
    if (!bytes) {
      if (hubStyle) res.setHeader('X-Error-Code', 'EntryNotFound');
      return plain(res, send, 404, 'not found');
    }
    const size = bytes.byteLength;
    res.setHeader('ETag', `"${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}"`); // the file's version
    if (mode === 'range') res.setHeader('Accept-Ranges', 'bytes');
    const header = req.headers.range;
    if (mode === 'range' && header) {
      const r = parseRange(header, size);
      if (r === 'unsatisfiable') {
        res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
        send.end();
        return;
      }
      if (r) {
        const body = bytes.subarray(r[0], r[1] + 1);
        res.writeHead(206, {
          'Content-Type': 'application/octet-stream',
          'Content-Range': `bytes ${r[0]}-${r[1]}/${size}`,
          'Content-Length': body.byteLength,
        });
        if (req.method === 'HEAD') send.end();
        else send.end(body);
        return;
      }
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size });
    if (req.method === 'HEAD') return void send.end();
    if (mode !== 'slow') return void send.end(bytes);
    for (let at = 0; at < size; at += slowChunk) {
      if (res.destroyed) return;
      send.chunk(bytes.subarray(at, Math.min(size, at + slowChunk)));
      await new Promise((r) => setTimeout(r, slowDelay));
    }
    if (!res.destroyed) send.end();
  }

  const main = createServer(handler('main'));
  const cdn = createServer(handler('cdn'));
  const [mainPort, cdnPort] = await Promise.all([listen(main), listen(cdn)]);
  origins.main = `http://127.0.0.1:${mainPort}`;
  origins.cdn = `http://127.0.0.1:${cdnPort}`;
  const at = (prefix: string): string => `${origins.main}/${prefix}/`;
  return {
    range: at('range'),
    whole: at('whole'),
    missing: at('missing'),
    noCors: at('nocors'),
    redirect: at('redirect/range'),
    rangeThenWhole: at('range-then-whole'),
    slow: at('slow'),
    status: (code) => at(`status/${code}`),
    hubEndpoint: `${origins.main}/hub`,
    hubRepo,
    hubSha,
    gatedRepo,
    mainOrigin: origins.main,
    cdnOrigin: origins.cdn,
    requests,
    bytesServed: (file) =>
      requests.filter((r) => file === undefined || r.path.endsWith(`/${file}`)).reduce((a, r) => a + r.bytes, 0),
    reset: () => {
      requests.length = 0;
    },
    close: async () => {
      await Promise.all([stop(main), stop(cdn)]);
    },
  };
}

function plain(res: ServerResponse, send: { end(c?: Uint8Array): void }, status: number, text: string): void {
  const body = new TextEncoder().encode(text);
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': body.byteLength });
  send.end(body);
}

/** A file of `dir` by relative path, or null (missing, or a path that leaves `dir`). */
async function readServed(dir: string, file: string): Promise<Uint8Array | null> {
  const parts = file.split('/');
  if (file === '' || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) return null;
  try {
    return new Uint8Array(await readFile(join(dir, ...parts)));
  } catch {
    return null;
  }
}

/** One `bytes=a-b` / `bytes=a-` / `bytes=-n` range, clamped; null to ignore the header (multi-range, junk). */
function parseRange(header: string, size: number): [number, number] | 'unsatisfiable' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - n), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
