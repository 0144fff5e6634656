import { gatedAdd, modulate } from '../adaln.ts';
import { gatedAddRef, modulateRef } from '../reference/adaln.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';

export const adalnChecks: KernelCheck[] = [
  {
    name: 'adaLN modulate',
    async run(gpu, rng) {
      const [T, C] = [37, 96];
      const [x, shift, scale] = [rng.floats(T * C), rng.floats(C), rng.floats(C)];
      const tx = gpu.upload(x, [T, C], 'x'); // [T, C]
      const ts = gpu.upload(shift, [C], 'shift'); // [C]
      const tc = gpu.upload(scale, [C], 'scale'); // [C]
      const r = await measure(gpu, () => modulate(gpu, tx, ts, tc), modulateRef(x, shift, scale), 1, `T=${T} C=${C}`);
      for (const t of [tx, ts, tc]) t.release();
      return r;
    },
  },
  {
    name: 'adaLN gated residual',
    async run(gpu, rng) {
      const [T, C] = [37, 96];
      const [x, gate, y] = [rng.floats(T * C), rng.floats(C), rng.floats(T * C)];
      const tx = gpu.upload(x, [T, C], 'x'); // [T, C]
      const tg = gpu.upload(gate, [C], 'gate'); // [C]
      const ty = gpu.upload(y, [T, C], 'y'); // [T, C]
      const r = await measure(gpu, () => gatedAdd(gpu, tx, tg, ty), gatedAddRef(x, gate, y), 1, `T=${T} C=${C}`);
      for (const t of [tx, tg, ty]) t.release();
      return r;
    },
  },
];
