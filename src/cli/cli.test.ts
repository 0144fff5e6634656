// The CLI contract end to end, as a user runs it: exit codes, one `error:` line, JSON on stdout.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('node', ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli', () => {
  it('info --json describes a real adapter', () => {
    const r = cli(['info', '--json']);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.adapter.architecture.length).toBeGreaterThan(0);
    expect(info.adapter.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  it('selftest --json prints the documented shape and passes', () => {
    const r = cli(['selftest', '--json']);
    const report = JSON.parse(r.stdout);
    expect(report.adapter.vendor).toBeTypeOf('string');
    expect(report.kernels.length).toBeGreaterThan(0);
    for (const k of report.kernels) {
      expect(k).toMatchObject({
        name: expect.any(String),
        pass: expect.any(Boolean),
        maxAbsErr: expect.any(Number),
        ms: expect.any(Number),
      });
    }
    expect(report.kernels.filter((k: { pass: boolean }) => !k.pass)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it.each([
    [['bogus'], /^error: unknown command "bogus"/],
    [['selftest', '--fast'], /^error: unknown option "--fast"/],
    [['selftest', '--seed', 'x'], /^error: --seed must be a number/],
    [['info', 'extra'], /^error: unexpected argument "extra"/],
  ])('bad input %j → exit 2 and one error line', (args, pattern) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });

  it('no WebGPU adapter → exit 2 with what to do', () => {
    const r = cli(['info'], { VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    expect(r.code).toBe(2);
    // Dawn itself may print driver warnings first; ours is the one `error:` line, and the last.
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^error: no WebGPU adapter was found \(/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });
});
