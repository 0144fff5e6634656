import { rvqDecodeRef } from '../reference/rvq.ts';
import { rvqDecode } from '../rvq.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';

export const rvqChecks: KernelCheck[] = [
  {
    name: 'rvq decode',
    async run(gpu, rng) {
      const [P, D, K, C] = [64, 4, 256, 32]; // an 8×8 token grid of the image tokenizer
      // Every seventh code is the mask id K, which must contribute nothing.
      const codes = Int32Array.from({ length: P * D }, (_, i) => (i % 7 === 3 ? K : rng.int(K)));
      const books = rng.floats(D * K * C);
      const tc = gpu.upload(codes, [P, D], 'codes'); // [P, D]
      const tb = gpu.upload(books, [D, K, C], 'codebooks'); // [D, K, C]
      const r = await measure(
        gpu,
        () => rvqDecode(gpu, tc, tb),
        rvqDecodeRef(codes, books, { depthCount: D, codes: K, channels: C }, D),
        D,
        `P=${P} D=${D} K=${K} C=${C}`,
      );
      tc.release();
      tb.release();
      return r;
    },
  },
];
