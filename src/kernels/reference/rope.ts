// Float64 reference for rotary position embedding, with angles computed directly (no table).

import type { RopeLayout } from '../rope.ts';

export interface RopeRefOptions {
  pos0: number; // position of row 0
  positions?: ArrayLike<number>; // row t's position (overrides pos0)
  theta: number; // base of inv_freq[i] = θ^(−2i/R)
  rotaryDim: number; // R ≤ D
  layout: RopeLayout;
}

/** x [T, H, D] (flat, row-major) → [T, H, D]. */
export function ropeRef(
  x: ArrayLike<number>,
  shape: readonly [number, number, number],
  o: RopeRefOptions,
): Float64Array {
  const [T, H, D] = shape;
  const half = o.rotaryDim / 2;
  const out = Float64Array.from(x);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const p = o.positions ? o.positions[t] : o.pos0 + t;
      const angle = p * Math.pow(o.theta, (-2 * i) / o.rotaryDim);
      const [c, s] = [Math.cos(angle), Math.sin(angle)];
      for (let h = 0; h < H; h++) {
        const base = (t * H + h) * D;
        const a = o.layout === 'rotate-half' ? base + i : base + 2 * i;
        const b = o.layout === 'rotate-half' ? a + half : a + 1;
        out[a] = x[a] * c - x[b] * s;
        out[b] = x[b] * c + x[a] * s;
      }
    }
  }
  return out;
}
