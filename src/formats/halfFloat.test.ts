// f16 / bf16 conversions, exhaustively over all 65,536 bit patterns against float64 formulas, and
// f32 → f16 / bf16 rounding (nearest, ties to even) against a brute-force nearest-value search.

import { describe, expect, it } from 'vitest';
import { Rng } from '../shared/rng.ts';
import {
  bf16BytesToF32,
  bf16ToNumber,
  f16BitsToF32Bits,
  f16BytesToF32,
  f16ToNumber,
  f32BitsToBf16Bits,
  f32BitsToF16Bits,
  f32ToF16Bytes,
} from './halfFloat.ts';

/** IEEE binary16 value of a bit pattern, computed in float64. */
function f16Reference(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** bfloat16 value of a bit pattern, computed in float64. */
function bf16Reference(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 7) & 0xff;
  const mant = h & 0x7f;
  if (exp === 0) return sign * mant * 2 ** -133;
  if (exp === 255) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 128) * 2 ** (exp - 127);
}

function allPatternsBytes(): Uint8Array {
  const u16 = new Uint16Array(65536);
  for (let h = 0; h < 65536; h++) u16[h] = h;
  return new Uint8Array(u16.buffer);
}

const f32Bits = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0];

function same(a: number, b: number): boolean {
  return Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b);
}

describe('f16 → f32', () => {
  it('is exact for all 65,536 patterns (subnormals, ±0, ±Inf, NaN)', () => {
    const { data, nonFinite } = f16BytesToF32(allPatternsBytes());
    let bad = 0;
    for (let h = 0; h < 65536; h++) {
      const want = f16Reference(h);
      if (!same(data[h], want) || !same(f16ToNumber(h), want)) bad++;
    }
    expect(bad).toBe(0);
    expect(nonFinite).toBe(2 * 1024); // exponent all ones: 2 signs × 1024 mantissas
    expect(Object.is(data[0x8000], -0)).toBe(true);
    expect(data[0x0001]).toBe(2 ** -24);
    expect(data[0x7bff]).toBe(65504);
  });

  it('keeps NaN payloads and signs bit for bit', () => {
    for (const h of [0x7c01, 0x7e00, 0x7fff, 0xfc01, 0xfe00, 0xffff]) {
      const bits = f16BitsToF32Bits(h);
      expect(bits >>> 31 === h >>> 15).toBe(true);
      expect((bits >>> 13) & 0x3ff).toBe(h & 0x3ff);
    }
    const { data } = f16BytesToF32(new Uint8Array([0x01, 0x7c]));
    expect(new Uint32Array(data.buffer)[0]).toBe(f16BitsToF32Bits(0x7c01));
  });

  it('reads from unaligned bytes', () => {
    const bytes = new Uint8Array(9);
    bytes.set([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x7c, 0xff, 0x03], 1); // 1, -2, +Inf, 2^-24·1023
    const r = f16BytesToF32(bytes.subarray(1));
    expect(Array.from(r.data)).toEqual([1, -2, Infinity, 1023 * 2 ** -24]);
    expect(r.nonFinite).toBe(1);
  });
});

describe('bf16 → f32', () => {
  it('is exact for all 65,536 patterns', () => {
    const { data, nonFinite } = bf16BytesToF32(allPatternsBytes());
    let bad = 0;
    for (let h = 0; h < 65536; h++) {
      const want = bf16Reference(h);
      if (!same(data[h], want) || !same(bf16ToNumber(h), want)) bad++;
      if (new Uint32Array(data.buffer, 4 * h, 1)[0] !== (h << 16) >>> 0) bad++;
    }
    expect(bad).toBe(0);
    expect(nonFinite).toBe(2 * 128);
  });
});

/** Every finite f16 value in increasing order with its bit pattern (−0 left out: +0 stands for zero). */
function sortedF16(): { value: number; bits: number }[] {
  const out: { value: number; bits: number }[] = [];
  for (let h = 0; h < 65536; h++) {
    const v = f16Reference(h);
    if (Number.isFinite(v) && h !== 0x8000) out.push({ value: v, bits: h });
  }
  return out.sort((a, b) => a.value - b.value);
}

/** Round-to-nearest-even to f16 by search, in float64; beyond 65520 (65504 + half an ulp) → ±Inf. */
function f16Nearest(x: number, table: { value: number; bits: number }[]): number {
  if (Number.isNaN(x)) return 0x7e00;
  if (Math.abs(x) >= 65520) return x > 0 ? 0x7c00 : 0xfc00;
  let lo = 0;
  let hi = table.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (table[mid].value <= x) lo = mid;
    else hi = mid;
  }
  const a = table[lo];
  const b = table[hi];
  const da = Math.abs(x - a.value);
  const db = Math.abs(b.value - x);
  let pick = da < db ? a : db < da ? b : (a.bits & 1) === 0 ? a : b;
  if (x <= a.value) pick = a;
  if (pick.value === 0) return x < 0 || Object.is(x, -0) ? 0x8000 : 0; // zero keeps the sign
  return pick.bits;
}

describe('f32 → f16 (round to nearest even)', () => {
  const table = sortedF16();

  it('round-trips every f16 pattern (NaN stays NaN)', () => {
    let bad = 0;
    for (let h = 0; h < 65536; h++) {
      const back = f32BitsToF16Bits(f16BitsToF32Bits(h));
      const isNan = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNan ? !((back & 0x7c00) === 0x7c00 && (back & 0x3ff) !== 0) : back !== h) bad++;
    }
    expect(bad).toBe(0);
  });

  it('rounds midpoints to even and just-off-midpoints to the nearer value', () => {
    let bad = 0;
    for (let i = 0; i + 1 < table.length; i++) {
      const a = table[i];
      const b = table[i + 1];
      const mid = (a.value + b.value) / 2; // exact in f32 (f16 has 11 significant bits)
      for (const x of [mid, Math.fround(mid * (1 + 2 ** -20)), Math.fround(mid * (1 - 2 ** -20))]) {
        if (Math.fround(x) !== x) continue;
        const got = f32BitsToF16Bits(f32Bits(x));
        if (got !== f16Nearest(x, table)) bad++;
      }
    }
    expect(bad).toBe(0);
  });

  it('overflows to ±Inf from 65520, underflows to ±0 at 2^-25', () => {
    expect(f32BitsToF16Bits(f32Bits(65519))).toBe(0x7bff);
    expect(f32BitsToF16Bits(f32Bits(65520))).toBe(0x7c00);
    expect(f32BitsToF16Bits(f32Bits(-1e30))).toBe(0xfc00);
    expect(f32BitsToF16Bits(f32Bits(2 ** -25))).toBe(0); // tie with 0 and 2^-24: even is 0
    expect(f32BitsToF16Bits(f32Bits(Math.fround(2 ** -25 * 1.0001)))).toBe(1);
    expect(f32BitsToF16Bits(f32Bits(-(2 ** -26)))).toBe(0x8000);
    expect(f32BitsToF16Bits(f32Bits(Infinity))).toBe(0x7c00);
  });

  it('matches the brute-force nearest value on 200,000 random f32 patterns', () => {
    const rng = new Rng(7);
    const u32 = new Uint32Array(1);
    const f32 = new Float32Array(u32.buffer);
    let bad = 0;
    for (let i = 0; i < 200_000; i++) {
      // Bias towards the f16 range: exponents 90 … 150 most of the time.
      const exp = i % 4 === 0 ? rng.int(256) : 90 + rng.int(60);
      u32[0] = ((rng.int(2) << 31) | (exp << 23) | rng.int(1 << 23)) >>> 0;
      const x = f32[0];
      const got = f32BitsToF16Bits(u32[0]);
      const want = f16Nearest(x, table);
      if (Number.isNaN(x) ? (got & 0x7c00) !== 0x7c00 || (got & 0x3ff) === 0 : got !== want) bad++;
    }
    expect(bad).toBe(0);
  });

  it('f32ToF16Bytes writes little-endian', () => {
    expect(Array.from(f32ToF16Bytes([1, -2, 0.5]))).toEqual([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38]);
  });
});

describe('f32 → bf16 (round to nearest even)', () => {
  it('round-trips every bf16 pattern and rounds ties to even', () => {
    let bad = 0;
    for (let h = 0; h < 65536; h++) {
      const isNan = (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;
      const back = f32BitsToBf16Bits((h << 16) >>> 0);
      if (isNan ? !((back & 0x7f80) === 0x7f80 && (back & 0x7f) !== 0) : back !== h) bad++;
      if (!isNan && (h & 0x7f80) !== 0x7f80 && h !== 0x7f7f && h !== 0xff7f) {
        // Exactly halfway to the next pattern: goes to whichever of h, h+1 is even.
        const tie = f32BitsToBf16Bits(((h << 16) | 0x8000) >>> 0);
        if (tie !== ((h & 1) === 0 ? h : h + 1)) bad++;
        if (f32BitsToBf16Bits(((h << 16) | 0x8001) >>> 0) !== h + 1) bad++;
        if (f32BitsToBf16Bits(((h << 16) | 0x7fff) >>> 0) !== h) bad++;
      }
    }
    expect(bad).toBe(0);
  });
});
