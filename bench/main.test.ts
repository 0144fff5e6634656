import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// Argument errors must fail fast, before a device is opened: exit 2 and one `error:` line on stderr.
function bench(...args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', 'bench/main.ts', ...args],
    {
      encoding: 'utf8',
    },
  );
  return { status: r.status, stdout: r.stdout, stderrLines: r.stderr.trim().split('\n') };
}

describe('bench command line', () => {
  it.each([
    [['nope'], /^error: unknown benchmark "nope"/],
    [['matmul', '--fast'], /^error: unknown option --fast/],
    [['matmul', '--reps', '2'], /^error: --reps needs an integer ≥ 5/],
    [[], /^error: name a benchmark/],
  ])('%j exits 2 with one error line', (args, message) => {
    const r = bench(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderrLines).toHaveLength(1);
    expect(r.stderrLines[0]).toMatch(message);
  });

  it('prints usage for --help', () => {
    const r = bench('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run bench -- <[a-z|]*matmul[a-z|]*>/);
  });
});
