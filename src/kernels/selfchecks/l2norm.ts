import { l2Normalize } from '../l2norm.ts';
import { l2NormalizeRef } from '../reference/l2norm.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';

export const l2NormChecks: KernelCheck[] = [
  {
    name: 'l2 normalise rows',
    async run(gpu, rng) {
      const [R, C] = [4096, 12]; // a TiTok codebook
      const x = rng.floats(R * C, -3, 3);
      const tx = gpu.upload(x, [R, C], 'x'); // [R, C]
      const r = await measure(gpu, () => l2Normalize(gpu, tx), l2NormalizeRef(x, C), C, `R=${R} C=${C}`);
      tx.release();
      return r;
    },
  },
];
