// The model commands on real folders, as a user runs them: a valid folder gives the tensor table;
// each broken folder gives one `error:` line naming the file and exit 2 — never a crash or a hang.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKEN_KINDS, breakModelFiles, makeTestModelFiles, writeModelFolder } from '../../scripts/make-test-model.ts';

const root = mkdtempSync(join(tmpdir(), 'stepwise-cli-models-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync('node', ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  const valid = makeTestModelFiles({ seed: 3 });
  await writeModelFolder(join(root, 'valid'), valid);
  for (const kind of BROKEN_KINDS) await writeModelFolder(join(root, kind), breakModelFiles(valid, kind));
});

/** What each broken folder's one error line must mention. */
const NAMES: Record<string, RegExp> = {
  truncated: /model\.safetensors/,
  'empty-weights': /model\.safetensors/,
  'short-weights': /model\.safetensors/,
  'huge-header': /model\.safetensors/,
  'bad-header': /model\.safetensors/,
  'bad-dtype': /model\.safetensors/,
  overlap: /model\.safetensors/,
  'reversed-offsets': /model\.safetensors/,
  'shape-mismatch': /model\.safetensors/,
  'missing-config': /config\.json/,
  'missing-weights': /model\.safetensors/,
  'bad-config': /config\.json/,
  'config-not-json': /config\.json/,
  'unknown-model-type': /config\.json/,
  'bad-tokenizer': /tokenizer\.json/,
  'tokenizer-not-json': /tokenizer\.json/,
};

describe('inspect', () => {
  it('prints the config and tensor table of a valid folder', () => {
    const r = cli(['inspect', join(root, 'valid')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/type\s+gpt2/);
    expect(r.stdout).toMatch(/h\.0\.attn\.c_attn\.weight\s+F16\s+\[\d+, \d+\]/);
  });

  it.each(Object.entries(NAMES))('%s: one error line naming the file, exit 2', (kind, name) => {
    const r = cli(['inspect', join(root, kind)]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(name);
    expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack trace
  });

  it('a folder without a tokenizer can be inspected, but not generated from', () => {
    expect(cli(['inspect', join(root, 'missing-tokenizer')]).code).toBe(0);
    const r = cli(['generate', '--model', join(root, 'missing-tokenizer'), '--prompt', 'hi', '--max-tokens', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^error: .*tokenizer\.json/);
  });

  it('weights with NaN / Inf load with a warning naming the tensor', () => {
    const r = cli(['forward', '--model', join(root, 'nan-weights'), '--tokens', '1,2']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*ln_f\.weight/);
  });
});
