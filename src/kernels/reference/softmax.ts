// Float64 reference for the row softmax with scale and additive mask, with the kernel's masking
// rule: a mask value ≤ −1e30 removes the position (output 0), and a fully masked row is all zeros.

export const MASKED = -1e30;

export function softmaxRef(
  x: ArrayLike<number>, // [R, C]
  cols: number, // C
  mask: ArrayLike<number> | null, // [Rm, C], Rm dividing R
  scale = 1,
): Float64Array {
  const out = new Float64Array(x.length);
  const logits = new Float64Array(cols);
  const live = new Array<boolean>(cols);
  for (let base = 0; base < x.length; base += cols) {
    const maskBase = mask ? base % mask.length : 0;
    let top = -Infinity;
    for (let c = 0; c < cols; c++) {
      const m = mask ? mask[maskBase + c] : 0;
      live[c] = m > MASKED;
      logits[c] = x[base + c] * scale + m;
      if (live[c]) top = Math.max(top, logits[c]);
    }
    let s = 0;
    for (let c = 0; c < cols; c++) if (live[c]) s += Math.exp(logits[c] - top);
    for (let c = 0; c < cols; c++) out[base + c] = live[c] ? Math.exp(logits[c] - top) / s : 0;
  }
  return out;
}
