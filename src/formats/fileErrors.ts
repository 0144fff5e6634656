// Errors about model files. Every message opens with the file's name, then says the problem in one
// line; the hint says what to do. `bad-file` is a file that exists but is malformed or inconsistent,
// `not-found` a file (or a tensor inside one) that is missing.

import { StepwiseError } from '../shared/errors.ts';

/** A malformed or inconsistent file: "<file>: <problem>". */
export function badFile(file: string, problem: string, hint?: string): StepwiseError {
  return new StepwiseError('bad-file', `${file}: ${problem}`, hint ?? defaultHint(file));
}

/** A missing file, or a missing entry inside a file: "<file>: <problem>". */
export function notFound(file: string, problem: string, hint?: string): StepwiseError {
  return new StepwiseError('not-found', `${file}: ${problem}`, hint ?? 'check the model folder, URL or id');
}

function defaultHint(file: string): string {
  if (file.endsWith('.safetensors'))
    return 'the file is damaged or not a safetensors file: download or export it again';
  if (file.endsWith('config.json')) return `fix ${file} or export the model again`;
  return `the file is damaged or of the wrong kind: download or export ${file} again`;
}

/** A short, safe rendering of a JSON value for messages: `"12" (a string)`, `-3`, `null`, `an object`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') {
    const s = v.length > 40 ? `${v.slice(0, 40)}…` : v;
    return `${JSON.stringify(s)} (a string)`;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : `${v}`;
  if (typeof v === 'boolean') return `${v} (a boolean)`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return typeof v;
}
