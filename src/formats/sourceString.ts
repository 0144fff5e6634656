// What a model source string means, from its shape alone (no disk or network):
//   shipped id       `brown-gpt2`            lowercase letters, digits and "-"
//   URL              `https://host/path/`    a URL prefix of a model folder; plain http only for
//                                            localhost / 127.0.0.1 / [::1] (anything else in the clear
//                                            could be tampered with on the way)
//   Hugging Face id  `org/name[@revision]`
//   path             `./models/x`, `/abs`, `C:\x`, and in Node anything else
// A bare word or an `a/b` string may also be a folder on disk; the Node resolver checks the disk
// for those before going to the network (as transformers' from_pretrained does).

import { badInput } from '../shared/errors.ts';
import { looksLikeHubId, parseHubId, type HubId } from './hub.ts';

export type SourceSpec =
  | { kind: 'shipped'; id: string }
  | { kind: 'url'; url: string }
  | { kind: 'hub'; hub: HubId }
  | { kind: 'path'; path: string };

export interface ClassifyOptions {
  /** Whether folder paths are possible (Node: true; the browser: false, a path is an error). */
  paths?: boolean;
}

export const SHIPPED_ID = /^[a-z0-9][a-z0-9-]*$/;
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const FORMS =
  'a shipped model id (brown-gpt2), an https:// URL of a model folder, or a Hugging Face id org/name[@revision]';

/** Classifies a source string; bad-input for an empty string, a bad URL or (without `paths`) a path. */
export function classifySource(source: string, options: ClassifyOptions = {}): SourceSpec {
  const s = source.trim();
  if (s === '') throw badInput('the model source is empty', `give ${FORMS}`);
  const scheme = SCHEME.exec(s);
  if (scheme) return { kind: 'url', url: checkUrl(s, scheme[1].toLowerCase()) };
  if (isExplicitPath(s)) return pathOr(s, options);
  if (SHIPPED_ID.test(s)) return { kind: 'shipped', id: s };
  if (looksLikeHubId(s)) return { kind: 'hub', hub: parseHubId(s) };
  if (!options.paths && /^[^/@\s]+\/[^/@\s]+(@.*)?$/.test(s)) parseHubId(s); // says what is wrong with the id
  return pathOr(s, options);
}

/** Paths that cannot be anything else: absolute, ./ ../ ~/, Windows drive or backslashes. */
function isExplicitPath(s: string): boolean {
  return /^(\.{1,2}|~)(\/|\\|$)/.test(s) || s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s) || s.includes('\\');
}

function pathOr(s: string, options: ClassifyOptions): SourceSpec {
  if (options.paths) return { kind: 'path', path: s };
  throw badInput(
    `"${s}" is not a model source here: folder paths work only in the command line`,
    `give ${FORMS}, or open a folder with the file picker`,
  );
}

function checkUrl(s: string, scheme: string): string {
  if (scheme !== 'http' && scheme !== 'https') {
    throw badInput(`"${s}": ${scheme}:// URLs are not supported`, 'give an https:// URL of a model folder');
  }
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw badInput(
      `"${s}" is not a valid URL`,
      'give an https:// URL of a model folder, e.g. https://example.org/models/tiny/',
    );
  }
  if (u.protocol === 'http:' && !LOCAL_HOSTS.has(u.hostname)) {
    throw badInput(
      `"${s}": plain http:// is allowed only for localhost and 127.0.0.1`,
      `use https://${u.host}${u.pathname}${u.search} instead`,
    );
  }
  if (u.username || u.password) {
    throw badInput(`"${s}": URLs with a user name or password are not supported`, 'remove the user:password@ part');
  }
  return u.href;
}
