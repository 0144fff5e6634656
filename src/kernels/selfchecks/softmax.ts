import { softmax } from '../softmax.ts';
import { softmaxRef } from '../reference/softmax.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';

export const softmaxChecks: KernelCheck[] = [
  {
    name: 'softmax',
    async run(gpu, rng) {
      const [R, C] = [37, 300];
      const x = rng.floats(R * C, -8, 8);
      const tx = gpu.upload(x, [R, C], 'x'); // [R, C]
      const r = await measure(gpu, () => softmax(gpu, tx), softmaxRef(x, C, null), C, `R=${R} C=${C}`);
      tx.release();
      return r;
    },
  },
  {
    name: 'softmax (mask)',
    async run(gpu, rng) {
      // Causal attention scores [H, T, T] with a [T, T] mask shared by the heads.
      const [H, T] = [4, 40];
      const scale = 1 / Math.sqrt(64);
      const x = rng.floats(H * T * T, -20, 20);
      const mask = new Float32Array(T * T);
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = -Infinity;
      const tx = gpu.upload(x, [H, T, T], 'scores'); // [H, T, T]
      const tm = gpu.upload(mask, [T, T], 'mask'); // [T, T]
      const r = await measure(
        gpu,
        () => softmax(gpu, tx, { mask: tm, scale }),
        softmaxRef(x, T, mask, scale),
        T,
        `H=${H} T=${T}`,
      );
      tx.release();
      tm.release();
      return r;
    },
  },
];
