import { vqNearestRef } from '../reference/vqNearest.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';
import { vqNearest } from '../vqNearest.ts';

export const vqNearestChecks: KernelCheck[] = [
  {
    name: 'nearest code (VQ)',
    async run(gpu, rng) {
      const [N, K, D] = [32, 4096, 12]; // TiTok-L-32: 32 tokens, 4096 codes of 12
      const book = rng.floats(K * D);
      // Each row is a code plus small noise, so its nearest code is clear of any tie.
      const z = new Float32Array(N * D);
      for (let n = 0; n < N; n++) {
        const k = rng.int(K);
        for (let d = 0; d < D; d++) z[n * D + d] = book[k * D + d] + rng.uniform(-0.01, 0.01);
      }
      const tz = gpu.upload(z, [N, D], 'z'); // [N, D]
      const tb = gpu.upload(book, [K, D], 'codebook'); // [K, D]
      const r = await measure(
        gpu,
        () => vqNearest(gpu, tz, tb),
        vqNearestRef(z, book, D).ids,
        1,
        `N=${N} K=${K} D=${D}`,
      );
      tz.release();
      tb.release();
      return r;
    },
  },
];
