// `generate` with an attention setting, as a user runs it: the run and the dense run at the same seed,
// the deviation and time per step in --json and on stderr; bad settings → one `error:` line, exit 2.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function cli(args: string[]) {
  const r = spawnSync('node', ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RUN = ['generate', '--model', 'brown-mdlm', '--prompt', 'The jury said', '--length', '16', '--steps', '4'];

describe('generate --attention', () => {
  it('block-topk --json: the comparison with dense (deviation, differing tokens, ms/step both ways)', () => {
    const r = cli([...RUN, '--attention', 'block-topk', '--block-size', '4', '--top-k-blocks', '2', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.cache).toBeNull();
    expect(out.attention).toMatchObject({
      attention: 'block-topk (B=4, K=2)',
      setting: { attention: { kind: 'block-topk', blockSize: 4, topK: 2 }, mergeRatio: 0 },
      generatedTokens: 16,
      differentTokens: expect.any(Number),
      paddedTo: expect.any(Number),
    });
    const a = out.attention;
    expect(a.paddedTo % 4).toBe(0);
    for (const k of ['logitsRelL2', 'textLogitsRelL2', 'msPerStep', 'denseMsPerStep', 'speedup']) {
      expect(Number.isFinite(a[k]) && a[k] >= 0, k).toBe(true);
    }
    expect(a.textLogitsRelL2).toBeGreaterThan(0); // with 2 of ≥ 5 blocks kept, text is attended differently
    expect(a.differentShare).toBe(a.differentTokens / 16);
    expect(a.savedMsPerStep).toBeCloseTo(a.denseMsPerStep - a.msPerStep, 6);
    expect(r.stderr).toMatch(/running again with dense attention/);
  });

  it('--merge-ratio 0.5 in text mode: the comparison line on stderr, the text on stdout', () => {
    const r = cli([...RUN, '--merge-ratio', '0.5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^The jury said/);
    expect(r.stderr).toMatch(
      /dense, token merging 0\.5 vs dense: logits relative L2 \S+ on the first step's input, \S+ on the dense run's text; \d+\/16 generated tokens differ \([\d.]+ %\); \d+ vs \d+ ms\/step \(median\)/,
    );
  });

  it.each([
    [['--merge-ratio', '0.9'], /^error: --merge-ratio must be ≤ 0\.75; got 0\.9/],
    [['--levels', '2'], /^error: --levels applies to --attention llsa/],
    [['--attention', 'block-topk', '--block-size', '12'], /^error: the block size must be a power of two ≥ 2 .*got 12/],
    [['--attention', 'llsa', '--top-k-blocks', '0'], /^error: --top-k-blocks must be ≥ 1/],
    [['--attention', 'llsa', '--cache', 'dkv'], /^error: the dkv cache runs with dense attention only/],
    [['--attention', 'block-topk', '--merge-ratio', '0.5'], /^error: token merging runs with dense attention only/],
    [['--attention', 'window'], /^error: --attention must be one of dense, block-topk, llsa/],
  ])('bad settings %j → exit 2 and one error line', (extra, pattern) => {
    const r = cli([...RUN, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(pattern);
  });

  it('an autoregressive model refuses the attention options', () => {
    const r = cli(['generate', '--model', 'brown-gpt2', '--max-tokens', '2', '--attention', 'llsa']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^error: --attention does not apply to gpt2 models/);
  });
});
