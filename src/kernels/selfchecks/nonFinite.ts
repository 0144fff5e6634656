import { nonFinite } from '../nonFinite.ts';
import { nonFiniteRef } from '../reference/nonFinite.ts';
import type { KernelCheck } from '../selfcheck.ts';
import { countOutcome, timed } from './argmax.ts';

export const nonFiniteChecks: KernelCheck[] = [
  {
    name: 'nonfinite',
    async run(gpu, rng) {
      const n = 50_257; // a GPT-2 vocabulary of logits
      const x = rng.floats(n);
      for (let k = 0; k < 5; k++) x[rng.int(n)] = [NaN, Infinity, -Infinity][rng.int(3)];
      const tx = gpu.upload(x, [1, n], 'logits'); // [1, V]
      const { out, ms } = await timed(gpu, () => nonFinite(gpu, tx));
      const got = Array.from(await gpu.read(out));
      const want = nonFiniteRef(x);
      out.release();
      tx.release();
      return countOutcome(
        want.map((w, i) => got[i] !== w),
        ms,
        `N=${n}`,
      );
    },
  },
];
