// The command line under faults, as a user meets them: Ctrl-C in the middle of a run, an output path
// that cannot be written, weights full of NaN, a prompt too long for the context. Each ends with the
// documented exit code and one line that says what happened.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakModelFiles, makeTestModelFiles, writeModelFolder } from '../../scripts/make-test-model.ts';

const CLI = ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', 'src/cli/main.ts'];
const root = mkdtempSync(join(tmpdir(), 'stepwise-cli-faults-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync('node', [...CLI, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (s: string) => s.trim().split('\n');

beforeAll(async () => {
  const valid = makeTestModelFiles({ seed: 4 });
  await writeModelFolder(join(root, 'tiny'), valid);
  await writeModelFolder(join(root, 'nan'), breakModelFiles(valid, 'nan-weights'));
});

describe('Ctrl-C during generation', () => {
  it('stops at the next step, prints what was made, and exits 130', async () => {
    const child = spawn(
      'node',
      [...CLI, 'generate', '--model', 'brown-gpt2', '--prompt', 'The jury', '--max-tokens', '200', '--seed', '2'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && /^\[3\] /m.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    const steps = lines(stderr).filter((l) => /^\[\d+\] /.test(l)).length;
    expect(steps).toBeGreaterThanOrEqual(3);
    expect(steps).toBeLessThan(200);
    expect(lines(stderr).at(-1)).toBe(`stopped: Ctrl-C after ${steps} steps; printing what was made`);
    expect(stdout.startsWith('The jury')).toBe(true);
    expect(stdout.trim().length).toBeGreaterThan('The jury'.length);
  });
});

describe('output paths are checked before any work', () => {
  it.each([
    [
      ['generate', '--model', '/no/such/model', '--class', 'x', '--out', '/nonexistent/x.png'],
      /^error: --out \/nonexistent\/x\.png: the folder \/nonexistent does not exist/,
    ],
    [
      ['generate', '--model', '/no/such/model', '--prompt', 'a', '--trace', '/nonexistent/t.json'],
      /^error: --trace \/nonexistent\/t\.json: the folder \/nonexistent does not exist/,
    ],
    [['generate', '--model', '/no/such/model', '--class', 'x', '--out', '/tmp'], /^error: --out \/tmp: is a folder/],
    [
      ['decode', '--model', '/no/such/model', '--tokens', '/no/such/tokens.json', '--out', '/nonexistent/x.png'],
      /^error: --out \/nonexistent\/x\.png: the folder \/nonexistent does not exist/,
    ],
  ])('%j → exit 2, one error line about the path', (args, pattern) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });
});

describe('non-finite logits', () => {
  it('stop the run with one error line naming the step and the damaged tensor, exit 2', () => {
    const r = cli(['generate', '--model', join(root, 'nan'), '--prompt', 'the', '--max-tokens', '5']);
    expect(r.code).toBe(2);
    const errors = lines(r.stderr).filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^error: step 1: the model's logits hold \d+ NaN or infinite values of \d+ \(the first at row 0, column 0\) \(the weights are damaged: model\.safetensors: tensor "ln_f\.weight" has/,
    );
    expect(lines(r.stderr).at(-1)).toBe(errors[0]);
    expect(r.stdout).toBe('');
  });
});

describe('the prompt shown is the prompt used', () => {
  it('a prompt cut to fit the context is printed as cut, with a notice', () => {
    // 64-token context, 100 tokens asked: 63 generated, and the prompt keeps its last token only.
    const prompt = 'the cat and the dog';
    const r = cli(['generate', '--model', join(root, 'tiny'), '--prompt', prompt, '--max-tokens', '100', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/notice: prompt truncated from the left to its last 1 of \d+ tokens/);
    const out = JSON.parse(r.stdout) as { prompt: string; text: string; promptTokens: number[] };
    expect(out.promptTokens).toHaveLength(1);
    expect(out.prompt).not.toBe(prompt);
    expect(prompt.endsWith(out.prompt)).toBe(true);

    const plain = cli(['generate', '--model', join(root, 'tiny'), '--prompt', prompt, '--max-tokens', '100']);
    expect(plain.stdout.startsWith(out.prompt + out.text)).toBe(true);
    expect(plain.stdout.startsWith(prompt)).toBe(false);
  });
});
