// How a kernel's f32 output is judged against its float64 reference.
// maxAbsErr = max |got − want|. The tolerance is 1e-4 for outputs of magnitude ≤ 1 and grows with the
// output's magnitude (relative 1e-4) and with the square root of the reduction length beyond 256
// terms, since f32 rounding error of a sum of n terms grows like √n·ε·|terms| (random-walk bound).

export interface Comparison {
  maxAbsErr: number; // largest absolute difference
  tolerance: number; // what the check allows
  pass: boolean;
  worstIndex: number; // where the largest difference is
}

export const BASE_TOLERANCE = 1e-4;

export function toleranceFor(want: ArrayLike<number>, reduction = 1): number {
  let scale = 1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  return BASE_TOLERANCE * scale * Math.max(1, Math.sqrt(reduction / 256));
}

export function compare(got: ArrayLike<number>, want: ArrayLike<number>, reduction = 1): Comparison {
  if (got.length !== want.length) {
    return { maxAbsErr: Infinity, tolerance: 0, pass: false, worstIndex: -1 };
  }
  let maxAbsErr = 0;
  let worstIndex = -1;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= maxAbsErr)) {
      // NaN compares false, so a NaN output becomes the worst error
      maxAbsErr = Number.isNaN(d) ? Infinity : d;
      worstIndex = i;
    }
  }
  const tolerance = toleranceFor(want, reduction);
  return { maxAbsErr, tolerance, pass: maxAbsErr <= tolerance, worstIndex };
}
