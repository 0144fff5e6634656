// Reading safetensors files lazily from a ByteSource: `openSafetensors` reads and validates only the
// header (two small reads); `readTensor` then fetches one tensor's bytes and converts them to a typed
// array — F16 / BF16 / F64 widened or narrowed to Float32Array, F32 copied into an aligned
// Float32Array, integers into Int32Array / Int8Array / Uint8Array — and counts NaN / ±Inf values so the
// caller can warn about damaged weights.

import { readExactly, type ByteSource } from './byteSource.ts';
import type { Dtype } from './dtypes.ts';
import { badFile, notFound } from './fileErrors.ts';
import { bf16BytesToF32, f16BytesToF32 } from './halfFloat.ts';
import {
  parseHeaderJson,
  parseHeaderLength,
  quote,
  type SafetensorsHeader,
  type TensorInfo,
} from './safetensorsHeader.ts';

export type { SafetensorsHeader, TensorInfo } from './safetensorsHeader.ts';

export type TensorData = Float32Array | Int32Array | Int8Array | Uint8Array;

export interface Tensor {
  name: string;
  dtype: Dtype; // the dtype stored in the file (the data may be widened: see TensorData)
  shape: number[];
  data: TensorData; // F32 / F16 / BF16 / F64 → Float32Array, I32 / I64 → Int32Array, I8 → Int8Array, U8 / BOOL → Uint8Array
  nonFinite: number; // NaN / ±Inf values found (always 0 for integer dtypes)
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One opened safetensors file: a validated header and lazy tensor reads. */
export class SafetensorsFile {
  constructor(
    readonly source: ByteSource,
    readonly header: SafetensorsHeader,
  ) {}

  get name(): string {
    return this.source.name;
  }

  /** Tensor names in file order. */
  names(): string[] {
    return [...this.header.tensors.keys()];
  }

  has(name: string): boolean {
    return this.header.tensors.has(name);
  }

  /** The header entry of a tensor; not-found naming the file when absent. */
  info(name: string): TensorInfo {
    const t = this.header.tensors.get(name);
    if (!t) throw notFound(this.name, `no tensor named ${quote(name)}`, 'check the tensor names with `inspect`');
    return t;
  }

  /** The raw little-endian bytes of a tensor; may be a view into the source's memory: do not modify. */
  async readBytes(name: string): Promise<Uint8Array> {
    const t = this.info(name);
    return readExactly(this.source, this.header.dataOffset + t.begin, t.end - t.begin, `tensor ${quote(name)}`);
  }

  /** Reads and converts one tensor. */
  async readTensor(name: string): Promise<Tensor> {
    const t = this.info(name);
    const bytes = await this.readBytes(name);
    const { data, nonFinite } = convert(t, bytes, this.name);
    return { name, dtype: t.dtype, shape: [...t.shape], data, nonFinite };
  }
}

/** The warning for a tensor with NaN / Inf values, or null when it has none. */
export function nonFiniteWarning(file: string, t: Tensor): string | null {
  if (t.nonFinite === 0) return null;
  return `${file}: tensor ${quote(t.name)} has ${t.nonFinite} NaN/Inf value${t.nonFinite === 1 ? '' : 's'} of ${t.data.length}; outputs will likely be NaN`;
}

/** Reads and validates the header of a safetensors source. Throws bad-file naming the source. */
export async function openSafetensors(source: ByteSource): Promise<SafetensorsFile> {
  const first = await readExactly(source, 0, Math.min(8, source.size), 'the header length');
  const n = parseHeaderLength(first, source.size, source.name);
  const headerBytes = await readExactly(source, 8, n, 'the header');
  return new SafetensorsFile(source, parseHeaderJson(headerBytes, source.size, source.name));
}

function convert(t: TensorInfo, bytes: Uint8Array, file: string): { data: TensorData; nonFinite: number } {
  switch (t.dtype) {
    case 'F16':
      return f16BytesToF32(bytes);
    case 'BF16':
      return bf16BytesToF32(bytes);
    case 'F32': {
      const data = LITTLE_ENDIAN ? new Float32Array(copy(bytes)) : readWith(bytes, 4, (v, i) => v.getFloat32(i, true));
      return { data, nonFinite: countNonFinite(data) };
    }
    case 'F64': {
      const src = LITTLE_ENDIAN ? new Float64Array(copy(bytes)) : null;
      const data = src ? Float32Array.from(src) : readWith(bytes, 8, (v, i) => v.getFloat64(i, true));
      return { data, nonFinite: countNonFinite(data) };
    }
    case 'I32':
      return { data: LITTLE_ENDIAN ? new Int32Array(copy(bytes)) : readInt32(bytes), nonFinite: 0 };
    case 'I64':
      return { data: narrowI64(t, bytes, file), nonFinite: 0 };
    case 'I8':
      return { data: new Int8Array(copy(bytes)), nonFinite: 0 };
    case 'U8':
    case 'BOOL':
      return { data: new Uint8Array(copy(bytes)), nonFinite: 0 };
  }
}

/** A fresh, aligned ArrayBuffer holding the bytes. */
function copy(bytes: Uint8Array): ArrayBuffer {
  // new Uint8Array(view) copies; `slice()` would not on a Node Buffer, whose slice is a view.
  return new Uint8Array(bytes).buffer;
}

function readWith(bytes: Uint8Array, size: number, get: (v: DataView, i: number) => number): Float32Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / size);
  for (let i = 0; i < out.length; i++) out[i] = get(v, i * size);
  return out;
}

function readInt32(bytes: Uint8Array): Int32Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = v.getInt32(4 * i, true);
  return out;
}

function narrowI64(t: TensorInfo, bytes: Uint8Array, file: string): Int32Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.byteLength / 8);
  for (let i = 0; i < out.length; i++) {
    const lo = v.getUint32(8 * i, true);
    const hi = v.getInt32(8 * i + 4, true);
    // In int32 range exactly when the high word is the sign extension of the low word.
    if (hi !== (lo & 0x80000000 ? -1 : 0)) {
      throw badFile(
        file,
        `tensor ${quote(t.name)} (I64) holds ${v.getBigInt64(8 * i, true)}, outside the int32 range Stepwise reads`,
      );
    }
    out[i] = lo | 0;
  }
  return out;
}

function countNonFinite(a: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x - x !== 0) n++; // NaN − NaN and Inf − Inf are NaN; finite − itself is 0
  }
  return n;
}
