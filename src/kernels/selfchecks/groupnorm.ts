import { groupNorm } from '../groupnorm.ts';
import { groupNormRef } from '../reference/groupnorm.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';

export const groupNormChecks: KernelCheck[] = [
  {
    name: 'groupnorm+silu',
    async run(gpu, rng) {
      const [C, H, W, G] = [32, 32, 32, 8]; // the decoder's last level
      const eps = 1e-6;
      const x = rng.floats(C * H * W, -2, 3); // a non-zero mean, as activations have
      const w = rng.floats(C, 0.5, 1.5);
      const b = rng.floats(C);
      const tx = gpu.upload(x, [C, H, W], 'x'); // [C, H, W]
      const tw = gpu.upload(w, [C], 'weight'); // [C]
      const tb = gpu.upload(b, [C], 'bias'); // [C]
      const r = await measure(
        gpu,
        () => groupNorm(gpu, tx, G, tw, tb, { eps, silu: true }),
        groupNormRef(x, w, b, G, eps, true),
        (C / G) * H * W,
        `[${C}, ${H}, ${W}] G=${G}`,
      );
      tx.release();
      tw.release();
      tb.release();
      return r;
    },
  },
];
