import { toMortonOrder } from '../morton.ts';
import { mortonReorderRef } from '../reference/morton.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';

export const mortonChecks: KernelCheck[] = [
  {
    name: 'Morton order',
    async run(gpu, rng) {
      const [height, width, c] = [32, 64, 12];
      const x = rng.floats(height * width * c);
      const tx = gpu.upload(x, [height * width, c], 'x'); // [H·W, C]
      const r = await measure(
        gpu,
        () => toMortonOrder(gpu, tx, { height, width }),
        mortonReorderRef(x, height, width),
        1,
        `H=${height} W=${width} C=${c}`,
      );
      tx.release();
      return r;
    },
  },
];
