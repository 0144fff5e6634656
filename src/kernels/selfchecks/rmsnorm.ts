import { rmsNorm } from '../rmsnorm.ts';
import { rmsNormRef } from '../reference/rmsnorm.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';

export const rmsNormChecks: KernelCheck[] = [
  {
    name: 'rmsnorm',
    async run(gpu, rng) {
      const [T, C] = [37, 200];
      const eps = 1e-6;
      const x = rng.floats(T * C, -2, 2);
      const w = rng.floats(C, 0.5, 1.5);
      const tx = gpu.upload(x, [T, C], 'x'); // [T, C]
      const tw = gpu.upload(w, [C], 'weight'); // [C]
      const r = await measure(gpu, () => rmsNorm(gpu, tx, tw, { eps }), rmsNormRef(x, w, eps), C, `T=${T} C=${C}`);
      tx.release();
      tw.release();
      return r;
    },
  },
];
