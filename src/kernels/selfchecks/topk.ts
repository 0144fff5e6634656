import { compare } from '../reference/compare.ts';
import { topkRef } from '../reference/topk.ts';
import type { KernelCheck } from '../selfcheck.ts';
import { topk } from '../topk.ts';
import { countOutcome, distinctValues, timed } from './argmax.ts';

export const topkChecks: KernelCheck[] = [
  {
    name: 'topk',
    async run(gpu, rng) {
      const [R, C, k] = [5, 20000, 50];
      const x = new Float32Array(R * C);
      for (let r = 0; r < R; r++) x.set(distinctValues(rng, C), r * C);
      const tx = gpu.upload(x, [R, C], 'x'); // [R, C]
      const { out, ms } = await timed(gpu, () => topk(gpu, tx, k));
      const values = await gpu.read(out.values);
      const indices = await gpu.read(out.indices);
      out.values.release();
      out.indices.release();
      tx.release();
      const want = topkRef(x, R, C, k);
      // A row entry is wrong when its column differs or its value is off by more than the tolerance.
      const { tolerance } = compare(values, want.values);
      const bad = Array.from(
        want.indices,
        (w, i) => indices[i] !== w || !(Math.abs(values[i] - want.values[i]) <= tolerance),
      );
      return countOutcome(bad, ms, `R=${R} C=${C} k=${k}`);
    },
  },
];
