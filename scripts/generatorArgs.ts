// Arguments of the generator scripts (make-icons, make-model-index): one path option, `--check`
// (compare with what is on disk instead of writing) and `--help`.

import { resolve } from 'node:path';

export type GeneratorArgs = { help: true } | { help: false; path: string; check: boolean };

export function parseGeneratorArgs(argv: string[], option: string, fallback: string, usage: string): GeneratorArgs {
  let path = fallback;
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === option) {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${option} needs a value\n${usage}`);
      path = resolve(v);
    } else if (a === '--check') check = true;
    else if (a === '--help' || a === '-h') return { help: true };
    else throw new Error(`unexpected argument "${a}"\n${usage}`);
  }
  return { help: false, path, check };
}
