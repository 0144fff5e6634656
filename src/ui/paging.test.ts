import { describe, expect, it } from 'vitest';
import { pageOf } from './paging.ts';

describe('pageOf', () => {
  it('splits rows into pages and clamps the page number', () => {
    expect(pageOf(1200, 0, 500)).toEqual({ page: 0, pages: 3, start: 0, end: 500 });
    expect(pageOf(1200, 2, 500)).toEqual({ page: 2, pages: 3, start: 1000, end: 1200 });
    expect(pageOf(1200, 9, 500)).toEqual({ page: 2, pages: 3, start: 1000, end: 1200 });
    expect(pageOf(1200, -1, 500)).toEqual({ page: 0, pages: 3, start: 0, end: 500 });
    expect(pageOf(500, 0, 500)).toEqual({ page: 0, pages: 1, start: 0, end: 500 });
    expect(pageOf(0, 0, 500)).toEqual({ page: 0, pages: 1, start: 0, end: 0 });
  });
});
