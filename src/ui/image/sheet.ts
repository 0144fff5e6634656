// The contact sheet's layout: every step's image as a tile in rows, a step number under each tile and
// a title line above them all. Pure numbers (the drawing is in canvas.ts), so it is testable.

export interface SheetOptions {
  tile?: number; // tile edge in pixels (default 96: a 32-pixel image at 3×)
  maxCols?: number; // at most this many tiles per row (default 8)
  pad?: number; // space around and between tiles (default 8)
  label?: number; // height of the step number under each tile (default 18)
  title?: number; // height of the title line (default 28)
}

export interface SheetLayout {
  cols: number;
  rows: number;
  tile: number;
  label: number;
  pad: number;
  title: number;
  width: number;
  height: number;
  cells: Array<{ x: number; y: number }>; // each tile's top-left corner, in step order
}

/** Tiles for `n` steps in a near-square grid (columns = ⌈√n⌉, at most maxCols). */
export function contactSheetLayout(n: number, options: SheetOptions = {}): SheetLayout {
  const tile = options.tile ?? 96;
  const pad = options.pad ?? 8;
  const label = options.label ?? 18;
  const title = options.title ?? 28;
  const maxCols = Math.max(1, options.maxCols ?? 8);
  const count = Math.max(0, Math.floor(n));
  const cols = Math.max(1, Math.min(maxCols, Math.ceil(Math.sqrt(count))));
  const rows = Math.max(1, Math.ceil(count / cols));
  const cellW = tile + pad;
  const cellH = tile + label + pad;
  const cells = Array.from({ length: count }, (_, i) => ({
    x: pad + (i % cols) * cellW,
    y: title + pad + Math.floor(i / cols) * cellH,
  }));
  return {
    cols,
    rows,
    tile,
    label,
    pad,
    title,
    width: pad + cols * cellW,
    height: title + pad + rows * cellH,
    cells,
  };
}
