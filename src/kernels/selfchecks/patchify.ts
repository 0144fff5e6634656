import { patchify } from '../patchify.ts';
import { patchifyRef } from '../reference/patchify.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';

export const patchifyChecks: KernelCheck[] = [
  {
    name: 'patchify',
    async run(gpu, rng) {
      const [C, H, W, p] = [3, 256, 256, 16]; // a ViT's 16-px patches of a 256² RGB image
      const x = rng.floats(C * H * W);
      const tx = gpu.upload(x, [C, H, W], 'image'); // [C, H, W]
      const r = await measure(
        gpu,
        () => patchify(gpu, tx, p),
        patchifyRef(x, C, H, W, p),
        1,
        `[${C}, ${H}, ${W}] p=${p}`,
      );
      tx.release();
      return r;
    },
  },
];
