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

/** 6_241_792 → "6.24 M"; small counts print in full. */
export function formatCompact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toPrecision(3)} B`;
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)} M`;
  if (n >= 1e4) return `${(n / 1e3).toPrecision(3)} k`;
  return formatCount(n);
}

/** A download rate: "3.2 MiB/s"; "—" before it can be measured. */
export function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? `${formatBytes(Math.round(bytesPerSecond))}/s` : '—';
}

/** Time left: "12 s", "3 min 05 s", "1 h 02 min"; "—" when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Whole percent of `loaded` over `total`: 100 only when complete; null when the total is unknown. */
export function percent(loaded: number, total: number | null, done = false): number | null {
  if (done) return 100;
  if (total === null) return null;
  if (total <= 0) return 0;
  return Math.min(99, Math.floor((100 * loaded) / total));
}
