// The Images view's pure helpers: when tokens were fixed (accumulated over steps), depths fixed per
// position and the hatched positions, the step colour ramp, sub-cell placement, the contact sheet's
// layout, the class filter and export file names.

import { describe, expect, it } from 'vitest';
import type { ImageGrid } from '../engine/api.ts';
import { fileSafe } from './image/canvas.ts';
import { classMatches, coarseMasked, depthsFixed, fixedTokens, positionOf, stepColor, subCell } from './image/grid.ts';
import { contactSheetLayout } from './image/sheet.ts';

const GRID: ImageGrid = { height: 2, width: 3, depths: 4, codebookSize: 256 };
const MASK = 256;

function step(n: number, fixed: Array<[number, number]>, length = 24) {
  const confidence = new Float32Array(length).fill(NaN);
  for (const [i, p] of fixed) confidence[i] = p;
  return { step: n, unmasked: fixed.map(([i]) => i), confidence };
}

describe('fixedTokens', () => {
  const steps = [
    step(1, [[0, 0.9]]),
    step(2, [
      [4, 0.5],
      [1, 0.25],
    ]),
    step(3, [[23, 0.125]]),
  ];

  it('records the step and the probability of every token fixed so far', () => {
    const f = fixedTokens(steps, 2, 24);
    expect(f.fixedAt[0]).toBe(1);
    expect(f.fixedAt[4]).toBe(2);
    expect(f.fixedAt[1]).toBe(2);
    expect(f.fixedAt[23]).toBe(0);
    expect(f.confidence[0]).toBeCloseTo(0.9);
    expect(f.confidence[1]).toBe(0.25);
    expect(Number.isNaN(f.confidence[23])).toBe(true);
  });

  it('is empty at step 0 and complete past the last step', () => {
    expect(fixedTokens(steps, 0, 24).fixedAt.every((v) => v === 0)).toBe(true);
    expect(fixedTokens(steps, 99, 24).fixedAt[23]).toBe(3);
  });

  it('ignores indices outside the sequence', () => {
    const f = fixedTokens([step(1, [[30, 0.5]], 40)], 1, 24);
    expect(f.fixedAt.every((v) => v === 0)).toBe(true);
  });
});

describe('depths per position', () => {
  // Position 0: all 4 depths; position 1: depth 0 only; position 2: depths 0-1; others masked.
  const tokens = new Int32Array(24).fill(MASK);
  tokens.set([1, 2, 3, 4], 0);
  tokens[4] = 7;
  tokens[8] = 5;
  tokens[9] = 6;
  // Position 5: a finer depth fixed while depth 0 is masked still counts as masked for the overlay.
  tokens[21] = 9;

  it('counts fixed depths per position in raster order', () => {
    expect([...depthsFixed(tokens, GRID, MASK)]).toEqual([4, 1, 2, 0, 0, 1]);
  });

  it('hatches the positions whose depth 0 is masked', () => {
    expect(coarseMasked(tokens, GRID, MASK)).toEqual([false, false, false, true, true, true]);
  });

  it('maps a sequence index to (x, y, depth): index = (y·W + x)·D + depth', () => {
    expect(positionOf(0, GRID)).toEqual({ x: 0, y: 0, depth: 0 });
    expect(positionOf(7, GRID)).toEqual({ x: 1, y: 0, depth: 3 });
    expect(positionOf(4 * 4 + 2, GRID)).toEqual({ x: 1, y: 1, depth: 2 });
  });
});

describe('stepColor', () => {
  it('runs from dark violet at the first step to light yellow at the last', () => {
    expect(stepColor(1, 12)).toBe('hsl(275 70% 32%)');
    expect(stepColor(12, 12)).toBe('hsl(55 70% 68%)');
  });

  it('clamps steps outside the run and handles a one-step run', () => {
    expect(stepColor(0, 12)).toBe(stepColor(1, 12));
    expect(stepColor(40, 12)).toBe(stepColor(12, 12));
    expect(stepColor(1, 1)).toBe('hsl(55 70% 68%)');
  });
});

describe('subCell', () => {
  it('places 4 depths in a 2×2 block, coarsest top left, inside the cell with gaps', () => {
    const cells = [0, 1, 2, 3].map((d) => subCell(d, 4, 32, 2));
    expect(cells[0]).toEqual({ x: 2, y: 2, size: 13 });
    expect(cells[1]).toEqual({ x: 17, y: 2, size: 13 });
    expect(cells[2]).toEqual({ x: 2, y: 17, size: 13 });
    expect(cells[3].x + cells[3].size + 2).toBe(32);
  });

  it('keeps a wider margin at the cell edge than between sub-cells', () => {
    const a = subCell(0, 4, 32, 1, 3);
    const b = subCell(1, 4, 32, 1, 3);
    expect(a).toEqual({ x: 3, y: 3, size: 12.5 });
    expect(b.x - (a.x + a.size)).toBe(1);
    expect(32 - (b.x + b.size)).toBe(3);
  });

  it('uses a 3×3 block for 5 … 9 depths and one cell for 1 depth', () => {
    expect(subCell(4, 9, 32, 2)).toEqual({ x: 12, y: 12, size: 8 });
    expect(subCell(0, 1, 32, 2)).toEqual({ x: 2, y: 2, size: 28 });
  });
});

describe('contactSheetLayout', () => {
  it('lays 12 MaskGIT steps out as 4 × 3 tiles under a title', () => {
    const l = contactSheetLayout(12, { tile: 96, pad: 8, label: 18, title: 28 });
    expect([l.cols, l.rows]).toEqual([4, 3]);
    expect(l.width).toBe(8 + 4 * 104);
    expect(l.height).toBe(28 + 8 + 3 * 122);
    expect(l.cells[0]).toEqual({ x: 8, y: 36 });
    expect(l.cells[5]).toEqual({ x: 8 + 104, y: 36 + 122 });
    expect(l.cells).toHaveLength(12);
  });

  it('lays 64 autoregressive steps out as 8 × 8, and caps the columns', () => {
    const l = contactSheetLayout(64);
    expect([l.cols, l.rows]).toEqual([8, 8]);
    const wide = contactSheetLayout(100, { maxCols: 8 });
    expect([wide.cols, wide.rows]).toEqual([8, 13]);
    // Every tile with its label lies inside the sheet.
    for (const c of wide.cells) {
      expect(c.x + wide.tile).toBeLessThanOrEqual(wide.width);
      expect(c.y + wide.tile + wide.label).toBeLessThanOrEqual(wide.height);
    }
  });

  it('gives one empty cell for no steps and one tile for one step', () => {
    expect(contactSheetLayout(0).cells).toHaveLength(0);
    const one = contactSheetLayout(1);
    expect([one.cols, one.rows, one.cells.length]).toEqual([1, 1, 1]);
  });
});

describe('class filter and file names', () => {
  it('matches every word of the filter in any order, ignoring case', () => {
    expect(classMatches('food-fruit', 'FRUIT')).toBe(true);
    expect(classMatches('food-fruit', 'fruit food')).toBe(true);
    expect(classMatches('food-fruit', 'fruit animal')).toBe(false);
    expect(classMatches('face-smiling', '')).toBe(true);
  });

  it('keeps safe file name characters only', () => {
    expect(fileSafe('face-smiling')).toBe('face-smiling');
    expect(fileSafe('a b/c')).toBe('a-b-c');
    expect(fileSafe('///')).toBe('image');
  });
});
