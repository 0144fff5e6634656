// Per-kernel times summed over the steps of a run, for the `generate` reports.

import type { KernelTiming } from '../../engine/api.ts';

export function addTimings(into: Map<string, KernelTiming>, rows: KernelTiming[]): void {
  for (const k of rows) {
    const t = into.get(k.name) ?? { name: k.name, calls: 0, ms: 0 };
    t.calls += k.calls;
    t.ms += k.ms;
    into.set(k.name, t);
  }
}
