// Paging of long tables: a model may list 200,000 tensors, and rendering every row freezes the page.

export interface Page {
  page: number; // 0-based, clamped to the pages there are
  pages: number; // at least 1
  start: number; // first row shown (0-based)
  end: number; // one past the last row shown
}

/** Rows [start, end) of page `page` of a table of `total` rows, `size` rows a page. */
export function pageOf(total: number, page: number, size: number): Page {
  const pages = Math.max(1, Math.ceil(total / size));
  const p = Math.min(Math.max(0, Math.trunc(page)), pages - 1);
  return { page: p, pages, start: p * size, end: Math.min(total, (p + 1) * size) };
}
