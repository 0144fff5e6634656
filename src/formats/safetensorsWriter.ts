// Writing safetensors files: the layout of safetensorsHeader.ts, tensors packed in the given order,
// the JSON header padded with spaces to a multiple of 8 bytes as the reference writer does. Used by
// tests and tools (scripts/make-test-model.ts); F16 / BF16 are rounded from f32 to nearest even.

import { badInput } from '../shared/errors.ts';
import { f32ToBf16Bytes, f32ToF16Bytes } from './halfFloat.ts';

export type WritableDtype = 'F32' | 'F16' | 'BF16' | 'I32';

export interface WritableTensor {
  dtype: WritableDtype;
  shape: number[];
  data: ArrayLike<number>; // row-major values; length = product of shape
}

/** Serialises tensors (in key order) and optional string metadata into one safetensors file. */
export function writeSafetensors(
  tensors: Record<string, WritableTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (t.shape.some((d) => !Number.isSafeInteger(d) || d < 0) || numel !== t.data.length) {
      throw badInput(
        `writeSafetensors: tensor "${name}" has shape [${t.shape.join(', ')}] but ${t.data.length} values`,
      );
    }
    const bytes = encodeValues(t);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.byteLength;
  }
  return encodeSafetensors(header, data);
}

/**
 * Low-level: a file from any header object (even an invalid one) and a data section. Tests use it to
 * build broken files; the header is padded with spaces to a multiple of 8 bytes.
 */
export function encodeSafetensors(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  let json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.byteLength, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

function encodeValues(t: WritableTensor): Uint8Array {
  switch (t.dtype) {
    case 'F16':
      return f32ToF16Bytes(t.data);
    case 'BF16':
      return f32ToBf16Bytes(t.data);
    case 'F32':
      return littleEndian(t.data, 4, (v, i, x) => v.setFloat32(i, x, true));
    case 'I32':
      return littleEndian(t.data, 4, (v, i, x) => v.setInt32(i, x, true));
  }
}

function littleEndian(
  values: ArrayLike<number>,
  size: number,
  set: (v: DataView, i: number, x: number) => void,
): Uint8Array {
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) set(v, i * size, values[i]);
  return out;
}
