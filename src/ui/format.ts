// Number formatting shared by the panels: sizes, errors and times, always in a fixed style so
// columns line up (the stylesheet sets tabular figures on numbers).

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 268435456 → "256 MiB"; exact powers print without decimals. */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${BYTE_UNITS[u]}`;
}

/** 65535 → "65,535". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** An absolute error or tolerance: "0" or three significant digits in exponent form, e.g. "1.19e-7". */
export function formatError(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  return x.toExponential(2).replace('e+', 'e');
}

/** Milliseconds with a precision that suits the size. */
export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}
