// Summary statistics for benchmark samples: the median is the reported value (robust to the
// outliers a shared 2-core machine produces), min is the best case, and the IQR says how noisy the
// run was (rerun when it is large against the median).

export interface Summary {
  n: number; // samples
  median: number;
  min: number;
  max: number;
  q1: number; // 25th percentile
  q3: number; // 75th percentile
  iqr: number; // q3 − q1
}

/** Quantile q ∈ [0, 1] of sorted values, interpolating linearly between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((x, y) => x - y),
    0.5,
  );
}

export function summarize(values: readonly number[]): Summary {
  const s = [...values].sort((x, y) => x - y);
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  return { n: s.length, median: quantile(s, 0.5), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, q1, q3, iqr: q3 - q1 };
}
