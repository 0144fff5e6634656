// JSON files of a model folder (config.json, tokenizer.json, the checkpoint index): bytes → UTF-8 →
// JSON, with one-line errors that name the file. Validation of the contents is the caller's.

import { badFile } from './fileErrors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes strict UTF-8 (a BOM is dropped); throws bad-file naming `file` on invalid bytes. */
export function decodeUtf8(bytes: Uint8Array, file: string, what = 'the file'): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw badFile(file, `${what} is not valid UTF-8`);
  }
}

/** Parses JSON text or bytes; throws bad-file naming `file` when it is not JSON. */
export function parseJson(input: string | Uint8Array, file: string, what = 'the file'): unknown {
  const text = typeof input === 'string' ? input : decodeUtf8(input, file, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const detail = e instanceof Error ? e.message.split('\n')[0].slice(0, 120) : '';
    throw badFile(file, `${what} is not valid JSON${detail ? ` (${detail})` : ''}`);
  }
}

/**
 * How many keys the top-level object of JSON `bytes` has, counted without parsing (so a header that
 * claims a million tensors is refused before a million objects are built); stops counting past
 * `stop`. Exact for valid JSON; for anything else the parser reports the problem afterwards.
 */
export function countTopLevelKeys(bytes: Uint8Array, stop = Infinity): number {
  let depth = 0;
  let inString = false;
  let count = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) {
      inString = true;
    } else if (b === 0x7b || b === 0x5b) {
      depth++;
    } else if (b === 0x7d || b === 0x5d) {
      depth--;
    } else if (b === 0x3a && depth === 1 && ++count > stop) {
      return count;
    }
  }
  return count;
}

/** A plain JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses `input` and insists on a JSON object at the top. */
export function parseJsonObject(input: string | Uint8Array, file: string, what = 'the file'): Record<string, unknown> {
  const v = parseJson(input, file, what);
  if (!isJsonObject(v)) throw badFile(file, `${what} must be a JSON object, got ${kind(v)}`);
  return v;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** Own-property lookup that ignores the prototype (a key named "__proto__" or "toString" is just a key). */
export function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}
