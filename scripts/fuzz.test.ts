// The parsers of untrusted input, fuzzed at CI size (2,000 cases each; `npm run fuzz` runs the
// nightly 10,000): no case may end in anything but acceptance or a typed error.

import { describe, expect, it } from 'vitest';
import { FUZZ_TARGETS, fuzz } from './fuzz.ts';

const CASES = 2000;

describe('fuzzing the parsers', () => {
  it.each(FUZZ_TARGETS.map((t) => [t.name, t] as const))(
    `%s: ${CASES} cases, 0 untyped errors`,
    async (_name, target) => {
      const r = await fuzz(target, CASES, 20260601);
      expect(r.examples).toEqual([]);
      expect(r.untyped).toBe(0);
      expect(r.accepted + r.rejected).toBe(CASES);
      // Both outcomes occur: the generators reach past the first check, and also break things.
      expect(r.accepted).toBeGreaterThan(0);
      expect(r.rejected).toBeGreaterThan(0);
    },
  );
});
