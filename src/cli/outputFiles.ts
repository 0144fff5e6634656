// Output files (--out, --trace) are checked before any work, so a typo in a path fails at once with
// one line naming the option, not after a long run with an internal failure; and writing them maps
// the errors that remain (a full disk) to the same kind of line.

import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { badInput } from '../shared/errors.ts';

/** Bad input naming `--option path` unless the file can be created or overwritten. */
export function checkWritable(option: string, path: string): void {
  const fail = (problem: string, hint?: string): never => {
    throw badInput(`--${option} ${path}: ${problem}`, hint);
  };
  const full = resolve(path);
  const file = statOrNull(full);
  if (file) {
    if (file.isDirectory()) fail('is a folder', 'give a file name');
    if (!writable(full)) fail('the file exists and cannot be written');
    return;
  }
  const folder = dirname(path);
  const dir = statOrNull(dirname(full));
  if (!dir) fail(`the folder ${folder} does not exist`, 'create it first, or write somewhere else');
  if (!dir!.isDirectory()) fail(`${folder} is not a folder`);
  if (!writable(dirname(full))) fail(`the folder ${folder} cannot be written to`);
}

/** Checks every output option present in `options` (see checkWritable). */
export function checkOutputs(options: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    const v = options[name];
    if (typeof v === 'string') checkWritable(name, v);
  }
}

/** Writes an output file; a failure is bad input naming the option. */
export async function writeOutput(option: string, path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (e) {
    throw badInput(`--${option} ${path}: cannot write the file (${(e as Error).message})`);
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
