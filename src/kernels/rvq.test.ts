import { describe, expect, it } from 'vitest';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import { rvqDecodeRef } from './reference/rvq.ts';
import { rvqDecode } from './rvq.ts';
import { measure } from './selfcheck.ts';

interface Case {
  P: number; // positions
  D: number; // depths in the codes and codebooks
  K: number; // codes per codebook
  C: number; // channels
  depths?: number; // depths summed; default D
}

// One position, one depth, outputs past a multiple of 256, partial depths, and the tokenizer's shape.
const CASES: Case[] = [
  { P: 1, D: 1, K: 1, C: 1 },
  { P: 3, D: 2, K: 5, C: 7 },
  { P: 17, D: 3, K: 11, C: 33, depths: 2 },
  { P: 64, D: 4, K: 256, C: 32 },
  { P: 64, D: 4, K: 256, C: 32, depths: 1 },
  { P: 256, D: 8, K: 1024, C: 64, depths: 5 },
];

/** Random codes with about a fifth of them outside [0, K): the mask id K, K + 1 and −1. */
function randomCodes(rng: Rng, P: number, D: number, K: number): Int32Array {
  return Int32Array.from({ length: P * D }, () => {
    const u = rng.next();
    if (u < 0.1) return K;
    if (u < 0.15) return K + 1;
    if (u < 0.2) return -1;
    return rng.int(K);
  });
}

describe('rvqDecode', () => {
  for (const { P, D, K, C, depths = D } of CASES) {
    it(`P=${P} D=${D} K=${K} C=${C}, depths ${depths}, some codes masked`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(P * D + K * C);
      const codes = randomCodes(rng, P, D, K);
      const books = rng.floats(D * K * C);
      const tc = gpu.upload(codes, [P, D], 'codes');
      const tb = gpu.upload(books, [D, K, C], 'codebooks');
      const r = await measure(
        gpu,
        () => rvqDecode(gpu, tc, tb, { depths }),
        rvqDecodeRef(codes, books, { depthCount: D, codes: K, channels: C }, depths),
        depths,
        '',
      );
      expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
      tc.release();
      tb.release();
    });
  }

  it('gives zeros where every code is masked', async () => {
    const gpu = await testGpu();
    const [P, D, K, C] = [5, 2, 4, 3];
    const tc = gpu.upload(new Int32Array(P * D).fill(K), [P, D], 'codes');
    const tb = gpu.upload(new Rng(1).floats(D * K * C), [D, K, C], 'codebooks');
    const z = rvqDecode(gpu, tc, tb);
    expect(z.shape).toEqual([C, P]);
    expect(Array.from(await gpu.read(z))).toEqual(new Array(C * P).fill(0));
    for (const t of [z, tc, tb]) t.release();
  });

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const tc = gpu.upload(new Int32Array(6), [3, 2], 'codes');
    const tf = gpu.upload(new Float32Array(6), [3, 2], 'float codes');
    const tb = gpu.upload(new Float32Array(2 * 4 * 3), [2, 4, 3], 'codebooks');
    const t3 = gpu.upload(new Float32Array(3 * 4 * 3), [3, 4, 3], 'three books');
    expect(() => rvqDecode(gpu, tf, tb)).toThrow(/float codes is f32, expected i32/);
    expect(() => rvqDecode(gpu, tc, t3)).toThrow(/codes has 2 codes per position but three books has 3 codebooks/);
    for (const depths of [0, 3, 1.5]) {
      expect(() => rvqDecode(gpu, tc, tb, { depths })).toThrow(
        expect.objectContaining({
          code: 'bad-input',
          message: expect.stringMatching(/depths must be an integer in 1 … 2/),
        }),
      );
    }
    for (const t of [tc, tf, tb, t3]) t.release();
  });
});
