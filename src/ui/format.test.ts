import { describe, expect, it } from 'vitest';
import { formatBytes, formatCompact, formatEta, formatRate, percent } from './format.ts';

describe('format', () => {
  it('sizes, counts and rates', () => {
    expect(formatBytes(11712912)).toBe('11.2 MiB');
    expect(formatCompact(5_850_000)).toBe('5.85 M');
    expect(formatCompact(999)).toBe('999');
    expect(formatRate(0)).toBe('—');
    expect(formatRate(2 * 1024 * 1024)).toBe('2 MiB/s');
  });

  it('times left', () => {
    expect(formatEta(null)).toBe('—');
    expect(formatEta(4.2)).toBe('5 s');
    expect(formatEta(185)).toBe('3 min 05 s');
    expect(formatEta(3720)).toBe('1 h 02 min');
  });

  it('percent reaches 100 only when done', () => {
    expect(percent(10, 10)).toBe(99);
    expect(percent(10, 10, true)).toBe(100);
    expect(percent(1, 3)).toBe(33);
    expect(percent(5, null)).toBeNull();
    expect(percent(0, 0)).toBe(0);
  });
});
