// The attention lab on Dawn in Node: result shapes (timings, errors, every level's selections and
// their layout on the token grid, ToMe's groups), block top-K equal to dense when it keeps every
// block, the random input on a sequence that is no square, and 'bad-input' for every invalid setting.

import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import type { AttentionLabLevel, AttentionLabRequest } from './api.ts';
import { runAttentionLab } from './attentionLab.ts';

const BASE: AttentionLabRequest = {
  n: 1024,
  headDim: 32,
  block: 16,
  topk: 4,
  levels: 2,
  input: 'smooth',
  queryBlock: 5,
  seed: 3,
  tomeRatio: 0.5,
  reps: 1,
};

/** Every row of picks: k distinct tokens of the level, each among the row's candidates. */
function expectPicks(sel: AttentionLabLevel, candidates: (row: number) => Set<number>): void {
  expect(sel.selected.length).toBe(sel.blocks * sel.k);
  for (let row = 0; row < sel.blocks; row++) {
    const picks = Array.from(sel.selected.subarray(row * sel.k, (row + 1) * sel.k));
    expect(new Set(picks).size).toBe(sel.k);
    const allowed = candidates(row);
    for (const p of picks) expect(allowed.has(p), `level ${sel.level} row ${row} picked ${p}`).toBe(true);
  }
}

/** The layout puts every block in its own cell of the grid. */
function expectLayout(sel: AttentionLabLevel): void {
  const { rows, cols, cell } = sel.layout;
  expect(cell.length).toBe(sel.blocks);
  expect(new Set(cell).size).toBe(sel.blocks);
  for (const c of cell) expect(c >= 0 && c < rows * cols).toBe(true);
}

describe('attention lab', () => {
  it('smooth input, two levels: times, errors, selections on the Morton grid, ToMe groups', async () => {
    const r = await runAttentionLab(await testGpu(), BASE);
    expect(r.request).toEqual(BASE);
    expect(r.grid).toEqual({ height: 32, width: 32 });
    for (const m of [r.dense, r.blockTopk, r.llsa]) {
      expect(m.ms).toBeGreaterThan(0);
      expect(m.samples).toBe(1);
    }
    expect(r.dense.error).toBeNull();
    expect(r.dense.keysPerQuery).toBe(1024);
    expect(r.blockTopk.keysPerQuery).toBe(4 * 16);
    // Level 1: 4 blocks of 16 fine tokens; level 2: 4 of the 16 children of its picks; level 2 (top): 4 tokens.
    expect(r.llsa.keysPerQuery).toBe(4 * 16 + 4 * 16 + 4);
    for (const m of [r.blockTopk, r.llsa]) {
      expect(m.error!.relL2).toBeGreaterThan(0);
      expect(m.error!.relL2).toBeLessThan(1);
      expect(m.error!.maxAbs).toBeGreaterThan(0);
    }

    const [l1, l2] = r.llsaSelection;
    expect(r.llsaSelection.length).toBe(2);
    expect([l1.level, l1.blocks, l1.k, l2.level, l2.blocks, l2.k]).toEqual([1, 64, 4, 2, 4, 4]);
    expectPicks(l2, () => new Set([0, 1, 2, 3]));
    // Below the top, a level-1 token picks among the children of its parent's level-2 picks.
    expectPicks(l1, (row) => {
      const parent = Math.floor(row / 16);
      const picks = Array.from(l2.selected.subarray(parent * 4, parent * 4 + 4));
      return new Set(picks.flatMap((p) => Array.from({ length: 16 }, (_, c) => p * 16 + c)));
    });
    expectPicks(r.blockTopkSelection, () => new Set(Array.from({ length: 64 }, (_, b) => b)));
    // On the 32×32 grid, blocks of 16 tokens are 4×4 patches (8×8 of them), of 256 tokens 16×16.
    expect(l1.layout).toMatchObject({ rows: 8, cols: 8, cellWidth: 4, cellHeight: 4 });
    expect(l2.layout).toMatchObject({ rows: 2, cols: 2, cellWidth: 16, cellHeight: 16 });
    expect(Array.from(l2.layout.cell)).toEqual([0, 1, 2, 3]);
    // Z order: block 1 is right of block 0, block 2 below it.
    expect(Array.from(l1.layout.cell.subarray(0, 4))).toEqual([0, 1, 8, 9]);
    for (const sel of [l1, l2, r.blockTopkSelection]) expectLayout(sel);

    const t = r.tome;
    expect([t.height, t.width, t.sharedInput, t.ratio]).toEqual([32, 32, true, 0.5]);
    expect(t.merged).toBe(512);
    expect(t.kept).toBe(512);
    expect(t.assign.length).toBe(1024);
    expect(new Set(t.assign).size).toBe(t.kept);
    expect(t.denseMs).toBe(r.dense.ms);
    expect(t.ms).toBeGreaterThan(0);
    expect(t.error.relL2).toBeGreaterThan(0);
    expect(t.error.relL2).toBeLessThan(1);
  });

  it('block top-K that keeps every block (K·B ≥ N) equals dense attention', async () => {
    const r = await runAttentionLab(await testGpu(), { ...BASE, n: 256, topk: 16, levels: 1, tomeRatio: 0 });
    expect(r.blockTopk.keysPerQuery).toBe(256);
    expect(r.blockTopk.error!.relL2).toBeLessThan(1e-5);
    expect(r.blockTopk.error!.maxAbs).toBeLessThan(1e-5);
    // Merging nothing changes nothing but the proportional attention's log 1 = 0 terms.
    expect(r.tome.merged).toBe(0);
    expect(r.tome.error.maxAbs).toBeLessThan(1e-5);
  });

  it('random input on N = 768 (no power of two): reading-order layout, ToMe on its own 32×32 grid', async () => {
    const r = await runAttentionLab(await testGpu(), {
      ...BASE,
      n: 768,
      input: 'random',
      levels: 1,
      topk: 3,
      tomeRatio: 0.75,
      queryBlock: 47,
    });
    expect(r.grid).toBeNull();
    const [l1] = r.llsaSelection;
    expect([l1.blocks, l1.k]).toEqual([48, 3]);
    expect(l1.layout).toMatchObject({ rows: 7, cols: 7, cellWidth: 1, cellHeight: 1 });
    expect(Array.from(l1.layout.cell)).toEqual(Array.from({ length: 48 }, (_, b) => b));
    expect(r.tome).toMatchObject({ height: 32, width: 32, sharedInput: false, merged: 768, kept: 256 });
    expect(new Set(r.tome.assign).size).toBe(256);
    expect(r.tome.denseMs).toBeGreaterThan(0);
  });

  const bad: Array<[string, Partial<AttentionLabRequest>, RegExp]> = [
    ['N not a multiple of B', { n: 1000, input: 'random' }, /not a multiple of the block size B=16/],
    ['N not a multiple of B^L', { n: 768, input: 'random', levels: 3 }, /levels must be 1 … 2 for N=768/],
    ['K < 1', { topk: 0 }, /top-K must be a whole number ≥ 1/],
    ['K too wide for the select kernel', { n: 2048, topk: 65, levels: 1 }, /at most 64/],
    ['B not a power of two', { block: 12 }, /power of two/],
    ['B = 1', { block: 1 }, /power of two ≥ 2/],
    ['ratio above 0.75', { tomeRatio: 0.8 }, /merge ratio must be in \[0, 0.75\]/],
    ['ratio below 0', { tomeRatio: -0.1 }, /merge ratio/],
    ['N beyond the adapter', { n: 1 << 20 }, /more than this/],
    ['head size', { headDim: 300 }, /head size D/],
    ['query block', { queryBlock: 64 }, /query block must be a whole number in 0 … 63/],
    ['smooth input, N no power of two', { n: 768, levels: 1 }, /power of two/],
    ['levels 0', { levels: 0 }, /levels must be 1 … 2/],
    ['model input', { input: 'model' as AttentionLabRequest['input'] }, /input must be "smooth" or "random"/],
    ['reps', { reps: 0 }, /timed calls/],
  ];
  for (const [name, patch, message] of bad) {
    it(`bad input: ${name}`, async () => {
      await expect(runAttentionLab(await testGpu(), { ...BASE, ...patch })).rejects.toMatchObject({
        code: 'bad-input',
        message: expect.stringMatching(message),
      });
    });
  }
});
