import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { embedding } from './embedding.ts';
import { embeddingRef } from './reference/embedding.ts';
import { measure } from './selfcheck.ts';

describe('embedding', () => {
  // [T, V, C]; the last needs more than 65535 workgroups, so gpu.grid splits it over x and y.
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1],
    [257, 10, 3],
    [5, 7, 1000],
    [64, 3001, 130],
    [65600, 100, 256],
  ];
  for (const [T, V, C] of shapes) {
    it(`T=${T} V=${V} C=${C}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(T * 31 + V * 7 + C);
      const ids = Int32Array.from({ length: T }, () => rng.int(V));
      const table = rng.floats(V * C);
      const tids = gpu.upload(ids, [T], 'ids');
      const ttable = gpu.upload(table, [V, C], 'table');
      const r = await measure(gpu, () => embedding(gpu, tids, ttable), embeddingRef(ids, table, C), 1, '');
      expect(r.maxAbsErr).toBe(0);
      tids.release();
      ttable.release();
    });
  }

  it('gives zero rows for ids outside [0, V)', async () => {
    const gpu = await testGpu();
    const [V, C] = [6, 5];
    const ids = Int32Array.from([0, -1, 5, 6, 2147483647, -2147483648, 3, 1000]);
    const table = new Rng(3).floats(V * C, 1, 2); // no zeros, so a zero row can only come from the guard
    const tids = gpu.upload(ids, [ids.length], 'ids');
    const ttable = gpu.upload(table, [V, C], 'table');
    const out = embedding(gpu, tids, ttable);
    const got = await gpu.read(out);
    expect(Array.from(got)).toEqual(Array.from(embeddingRef(ids, table, C)));
    expect(Array.from(got.subarray(C, 2 * C))).toEqual([0, 0, 0, 0, 0]);
    out.release();
    tids.release();
    ttable.release();
  });

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const idsF = gpu.upload(new Float32Array(3), [3], 'idsF');
    const ids = gpu.upload(new Int32Array(3), [3], 'ids');
    const ids2 = gpu.upload(new Int32Array(6), [2, 3], 'ids2');
    const table = gpu.upload(new Float32Array(8), [2, 4], 'table');
    const table1 = gpu.upload(new Float32Array(8), [8], 'table1');
    const tableI = gpu.upload(new Int32Array(8), [2, 4], 'tableI');
    expect(() => embedding(gpu, idsF, table)).toThrow(/idsF is f32, expected i32/);
    expect(() => embedding(gpu, ids2, table)).toThrow(/expected rank 1/);
    expect(() => embedding(gpu, ids, table1)).toThrow(/expected rank 2/);
    expect(() => embedding(gpu, ids, tableI)).toThrow(/tableI is i32, expected f32/);
    for (const t of [idsF, ids, ids2, table, table1, tableI]) t.release();
  });
});
