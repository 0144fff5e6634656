import type { Gpu } from '../../gpu/gpu.ts';
import type { Rng } from '../../shared/rng.ts';
import { argmax } from '../argmax.ts';
import { argmaxRef } from '../reference/argmax.ts';
import type { CheckOutcome, KernelCheck } from '../selfcheck.ts';

/** n distinct f32 values in [−4, 4) in random order (a shuffled ramp), so that every expected index
 *  is unambiguous whatever the tie rule. */
export function distinctValues(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = ((i - n / 2) / n) * 8;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Runs `launch` between two queue drains; returns its result and the wall time. */
export async function timed<T>(gpu: Gpu, launch: () => T): Promise<{ out: T; ms: number }> {
  await gpu.sync();
  const t0 = performance.now();
  const out = launch();
  await gpu.sync();
  return { out, ms: performance.now() - t0 };
}

/** An outcome for index outputs, where any difference is wrong: maxAbsErr counts the mismatching
 *  entries (`bad`) and the tolerance is 0. */
export function countOutcome(bad: boolean[], ms: number, shape: string): CheckOutcome {
  const mismatches = bad.filter(Boolean).length;
  return { maxAbsErr: mismatches, tolerance: 0, pass: mismatches === 0, worstIndex: bad.indexOf(true), ms, shape };
}

export const argmaxChecks: KernelCheck[] = [
  {
    name: 'argmax',
    async run(gpu, rng) {
      const [R, C] = [17, 5003];
      const x = new Float32Array(R * C);
      for (let r = 0; r < R; r++) x.set(distinctValues(rng, C), r * C);
      const tx = gpu.upload(x, [R, C], 'x'); // [R, C]
      const { out, ms } = await timed(gpu, () => argmax(gpu, tx));
      const got = await gpu.read(out);
      const want = argmaxRef(x, R, C);
      out.release();
      tx.release();
      return countOutcome(
        Array.from(want, (w, i) => got[i] !== w),
        ms,
        `R=${R} C=${C}`,
      );
    },
  },
];
