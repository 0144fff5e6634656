// The figures a "Compare with dense" report shares between the Generate (diffusion) and Images views:
// how many tokens came out different, and the time per step saved (or lost) against dense attention.

import { formatMs } from './format.ts';

export function DifferentTokens({ different, total }: { different: number; total: number }) {
  return (
    <span data-field="different">
      {different}/{total} tokens differ ({total > 0 ? ((100 * different) / total).toFixed(1) : '0.0'} %)
    </span>
  );
}

export function TimeSaved({
  msPerStep,
  denseMsPerStep,
  speedup,
}: {
  msPerStep: number;
  denseMsPerStep: number;
  speedup: number;
}) {
  const saved = denseMsPerStep - msPerStep;
  return (
    <span data-field="saved">
      {Number.isFinite(speedup)
        ? saved >= 0
          ? `${formatMs(saved)} ms/step saved (${speedup.toFixed(2)}×)`
          : `${formatMs(-saved)} ms/step slower (${speedup.toFixed(2)}×)`
        : '—'}
    </span>
  );
}
