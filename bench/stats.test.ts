import { describe, expect, it } from 'vitest';
import { median, quantile, summarize } from './stats.ts';

describe('bench stats', () => {
  it('interpolates quantiles between neighbours', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([7], 0.75)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('summarizes unsorted samples without reordering them', () => {
    const samples = [9, 1, 5, 3, 7];
    const s = summarize(samples);
    expect(s).toEqual({ n: 5, median: 5, min: 1, max: 9, q1: 3, q3: 7, iqr: 4 });
    expect(samples).toEqual([9, 1, 5, 3, 7]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
