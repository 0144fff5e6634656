import { upsample2xRef } from '../reference/upsample.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';
import { upsample2x } from '../upsample.ts';

export const upsampleChecks: KernelCheck[] = [
  {
    name: 'upsample 2×',
    async run(gpu, rng) {
      const [C, H, W] = [128, 8, 8];
      const x = rng.floats(C * H * W);
      const tx = gpu.upload(x, [C, H, W], 'x'); // [C, H, W]
      const r = await measure(gpu, () => upsample2x(gpu, tx), upsample2xRef(x, C, H, W), 1, `[${C}, ${H}, ${W}]`);
      tx.release();
      return r;
    },
  },
];
