// Test-wide trap for unhandled promise rejections: one fails the test during which it happened, by
// name, instead of surfacing after the run as an error no test owns (or, in a child process, as a
// crash). A rejection is only known to be unhandled once the microtask queue has drained, so each
// check waits one turn of the event loop first.

import { afterAll, afterEach } from 'vitest';

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => {
  unhandled.push(reason);
});

async function check(when: string): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (unhandled.length === 0) return;
  const reasons = unhandled.splice(0).map((r) => (r instanceof Error ? (r.stack ?? r.message) : String(r)));
  throw new Error(`unhandled promise rejection ${when}:\n${reasons.join('\n')}`);
}

afterEach(() => check('during this test'));
afterAll(() => check('after the last test of this file'));
