// A ModelFolder over a URL prefix: `open("config.json")` opens `<prefix>/config.json` as an HTTP
// ByteSource (Range reads where the server allows them, else one whole download). A file the server
// says does not exist (404) is null, so loadModelFolder decides whether it was required.

import { notFound } from './fileErrors.ts';
import { openHttpSource, type HttpByteSource, type HttpOptions } from './httpSource.ts';
import type { ModelFolder } from './modelFolder.ts';

export interface HttpFolderOptions extends HttpOptions {
  /** How to name the folder in messages (default: the URL prefix without its trailing slash). */
  name?: string;
}

export interface HttpFolder extends ModelFolder {
  /** The prefix, ending in "/". */
  readonly baseUrl: string;
  /** The URL of a file of the folder. */
  urlOf(path: string): string;
  open(path: string): Promise<HttpByteSource | null>;
}

/** A folder over `baseUrl` (a trailing slash is added when missing; a query string is kept). */
export function httpFolder(baseUrl: string, options: HttpFolderOptions = {}): HttpFolder {
  const base = new URL(baseUrl);
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const baseHref = base.href;
  const name = options.name ?? stripSlash(`${base.origin}${base.pathname}`);
  const urlOf = (path: string): string => {
    const segments = path.split('/');
    if (path.startsWith('/') || path.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw notFound(
        `${name}/${path}`,
        'is not a file path inside the folder',
        'file paths are relative, without ".."',
      );
    }
    const u = new URL(base.href);
    u.pathname += segments.map(encodeURIComponent).join('/');
    return u.href;
  };
  return {
    name,
    baseUrl: baseHref,
    urlOf,
    open: (path) => openHttpSource(urlOf(path), { ...options, name: path }),
  };
}

function stripSlash(s: string): string {
  return s.endsWith('/') ? s.slice(0, -1) : s;
}
