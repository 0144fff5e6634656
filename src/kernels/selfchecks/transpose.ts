import { transposeRef } from '../reference/transpose.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';
import { transpose } from '../transpose.ts';

export const transposeChecks: KernelCheck[] = [
  {
    name: 'transpose',
    async run(gpu, rng) {
      const [R, C] = [33, 1024];
      const x = rng.floats(R * C);
      const tx = gpu.upload(x, [R, C], 'x'); // [R, C]
      const r = await measure(gpu, () => transpose(gpu, tx), transposeRef(x, R, C), 1, `[${R}, ${C}]`);
      tx.release();
      return r;
    },
  },
];
