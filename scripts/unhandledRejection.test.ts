// The unhandled-rejection trap of vitest.setup.ts: a test that leaves a promise rejection unhandled
// is reported as failed, by name, with the rejection's message; a test next to it is unaffected.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import unit from '../vitest.config.ts';

it('the unit tests use the trap', () => {
  expect(unit.test?.setupFiles).toContain('vitest.setup.ts');
});

it('a test that leaves a rejection unhandled fails, named, with the reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-trap-'));
  try {
    const out = join(dir, 'report.json');
    const r = spawnSync(
      'npx',
      [
        'vitest',
        'run',
        '--config',
        'scripts/fixtures/vitest.fixtures.config.ts',
        '--reporter=json',
        `--outputFile=${out}`,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status).toBe(1);
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
    };
    const tests = report.testResults.flatMap((f) => f.assertionResults);
    const leak = tests.find((t) => t.title === 'leaves a rejection unhandled');
    expect(leak?.status).toBe('failed');
    expect(leak?.failureMessages.join('\n')).toMatch(
      /unhandled promise rejection during this test:\nError: nobody awaited me/,
    );
    expect(tests.find((t) => t.title === 'handles its rejections')?.status).toBe('passed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
