// 16-bit floats ↔ 32-bit floats, on bit patterns.
//   f16 (IEEE binary16): 1 sign, 5 exponent (bias 15), 10 mantissa bits; subnormals below 2^-14.
//   bf16 (bfloat16): the top 16 bits of an f32: 1 sign, 8 exponent (bias 127), 7 mantissa bits.
// Widening is exact for every pattern (subnormals, ±0, ±Inf, NaN payloads are kept bit for bit): f16
// goes through a 65,536-entry table of f32 bit patterns built once, bf16 is a shift. Narrowing rounds
// to nearest, ties to even, as PyTorch and numpy do; overflow gives ±Inf; NaN stays NaN.

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** f32 bit pattern of an f16 bit pattern (exact). */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0) {
    if (mant === 0) return sign >>> 0; // ±0
    // Subnormal: mant · 2^-24. Shift the leading one up to the implicit-bit position.
    let e = 113; // f32 biased exponent of 2^-14, the exponent a normalised mant would have
    while ((mant & 0x400) === 0) {
      mant <<= 1;
      e--;
    }
    return (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
  }
  if (exp === 31) return (sign | 0x7f800000 | (mant << 13)) >>> 0; // ±Inf (mant 0) or NaN (payload kept)
  return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0; // rebias 15 → 127
}

let table: Uint32Array | null = null;

/** The 65,536-entry f16 → f32-bits table (256 KiB, built on first use). */
function f16Table(): Uint32Array {
  if (!table) {
    table = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = f16BitsToF32Bits(h);
  }
  return table;
}

const scratch = new DataView(new ArrayBuffer(4));

/** The number an f16 bit pattern stands for. */
export function f16ToNumber(h: number): number {
  scratch.setUint32(0, f16BitsToF32Bits(h & 0xffff));
  return scratch.getFloat32(0);
}

/** The number a bf16 bit pattern stands for. */
export function bf16ToNumber(h: number): number {
  scratch.setUint32(0, (h & 0xffff) << 16);
  return scratch.getFloat32(0);
}

/** f16 bit pattern nearest to an f32 bit pattern (round to nearest even). */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13); // Inf, quiet NaN
  if (exp > 142) return sign | 0x7c00; // ≥ 2^16: overflow to Inf
  if (exp >= 113) {
    // Normal f16 range (2^-14 … 2^15): drop 13 mantissa bits; a carry may step into the exponent
    // (and from 65504 + half an ulp up to Inf), which is the right answer.
    let h = ((exp - 112) << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
    return sign | h;
  }
  if (exp < 102) return sign; // below 2^-25, half the smallest subnormal: rounds to ±0
  // Subnormal f16: value = m24 · 2^(exp-150) = h · 2^-24, so h = m24 >> (126 - exp) with rounding.
  const m24 = mant | 0x800000;
  const shift = 126 - exp; // 14 … 24
  let h = m24 >>> shift;
  const rest = m24 & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rest > half || (rest === half && (h & 1) === 1)) h++; // may become the smallest normal: correct
  return sign | h;
}

/** bf16 bit pattern nearest to an f32 bit pattern (round to nearest even; NaN stays NaN). */
export function f32BitsToBf16Bits(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Result of widening a 16-bit tensor: the values, and how many are NaN or ±Inf. */
export interface Widened {
  data: Float32Array;
  nonFinite: number;
}

/** Widens little-endian f16 bytes (length even, any alignment) to a new Float32Array. */
export function f16BytesToF32(bytes: Uint8Array): Widened {
  const n = bytes.byteLength >>> 1;
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  const t = f16Table();
  let nonFinite = 0;
  if (LITTLE_ENDIAN) {
    const src = halfWords(bytes);
    for (let i = 0; i < n; i++) {
      const h = src[i];
      bits[i] = t[h];
      if ((h & 0x7c00) === 0x7c00) nonFinite++;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const h = bytes[2 * i] | (bytes[2 * i + 1] << 8);
      out[i] = f16ToNumber(h);
      if ((h & 0x7c00) === 0x7c00) nonFinite++;
    }
  }
  return { data: out, nonFinite };
}

/** Widens little-endian bf16 bytes (length even, any alignment) to a new Float32Array. */
export function bf16BytesToF32(bytes: Uint8Array): Widened {
  const n = bytes.byteLength >>> 1;
  const out = new Float32Array(n);
  let nonFinite = 0;
  if (LITTLE_ENDIAN) {
    const bits = new Uint32Array(out.buffer);
    const src = halfWords(bytes);
    for (let i = 0; i < n; i++) {
      const h = src[i];
      bits[i] = h << 16;
      if ((h & 0x7f80) === 0x7f80) nonFinite++;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const h = bytes[2 * i] | (bytes[2 * i + 1] << 8);
      out[i] = bf16ToNumber(h);
      if ((h & 0x7f80) === 0x7f80) nonFinite++;
    }
  }
  return { data: out, nonFinite };
}

/** A Uint16Array over the bytes, copying only when the start is not 2-byte aligned. */
function halfWords(bytes: Uint8Array): Uint16Array {
  const n = bytes.byteLength >>> 1;
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, n);
  return new Uint16Array(new Uint8Array(bytes.subarray(0, 2 * n)).buffer); // a copy, even for a Node Buffer
}

/** Narrows f32 values to little-endian f16 bytes (round to nearest even). */
export function f32ToF16Bytes(values: ArrayLike<number>): Uint8Array {
  return narrow(values, f32BitsToF16Bits);
}

/** Narrows f32 values to little-endian bf16 bytes (round to nearest even). */
export function f32ToBf16Bytes(values: ArrayLike<number>): Uint8Array {
  return narrow(values, f32BitsToBf16Bits);
}

function narrow(values: ArrayLike<number>, conv: (bits: number) => number): Uint8Array {
  const n = values.length;
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) f[i] = values[i];
  const bits = new Uint32Array(f.buffer);
  const out = new Uint8Array(2 * n);
  for (let i = 0; i < n; i++) {
    const h = conv(bits[i]);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}
