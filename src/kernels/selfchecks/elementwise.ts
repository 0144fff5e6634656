import { add, mul } from '../elementwise.ts';
import { addRef, mulRef } from '../reference/elementwise.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';

export const elementwiseChecks: KernelCheck[] = [
  {
    name: 'add (broadcast)',
    async run(gpu, rng) {
      const [T, C] = [37, 130];
      const a = rng.floats(T * C);
      const b = rng.floats(C);
      const ta = gpu.upload(a, [T, C], 'a'); // [T, C]
      const tb = gpu.upload(b, [C], 'b'); // [C]
      const r = await measure(gpu, () => add(gpu, ta, tb), addRef(a, b), 1, `T=${T} C=${C}`);
      ta.release();
      tb.release();
      return r;
    },
  },
  {
    name: 'mul',
    async run(gpu, rng) {
      const n = 1000;
      const a = rng.floats(n);
      const b = rng.floats(n);
      const ta = gpu.upload(a, [n], 'a');
      const tb = gpu.upload(b, [n], 'b');
      const r = await measure(gpu, () => mul(gpu, ta, tb), mulRef(a, b), 1, `n=${n}`);
      ta.release();
      tb.release();
      return r;
    },
  },
];
