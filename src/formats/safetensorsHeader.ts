// The safetensors header: `u64 little-endian N | N bytes of UTF-8 JSON | data`. The JSON maps tensor
// names to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the first data byte), plus
// an optional "__metadata__" object of strings. Everything is checked before any tensor is read, so a
// damaged or hostile file fails here with a message naming the tensor and the problem, and nothing is
// ever allocated from a size the file merely claims.

import { DTYPES, DTYPE_SIZES, UNSUPPORTED_DTYPES, isDtype, type Dtype } from './dtypes.ts';
import { badFile, describeValue } from './fileErrors.ts';
import { countTopLevelKeys, isJsonObject, own, parseJson } from './json.ts';

/** Largest header we accept (as the reference reader does): real headers are kilobytes (≈ 100 bytes per tensor). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** Most tensors a file (or a checkpoint index) may list. Real checkpoints hold at most tens of
 *  thousands (DeepSeek-V3, 256 experts per layer: ≈ 91,000 over 163 shards); reading a header of
 *  200,000 entries takes ≈ 2 s and 60 MB, of a million 30 s and 560 MB (measured). */
export const MAX_TENSORS = 200_000;

export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[]; // row-major ('C') dimensions; [] is a scalar
  numel: number; // product of shape
  begin: number; // byte offset of the first element, relative to the data section
  end: number; // one past the last byte, relative to the data section
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorInfo>; // in file order
  metadata: Record<string, string>; // "__metadata__" (e.g. {"format": "pt"}); {} when absent
  dataOffset: number; // absolute offset of the data section: 8 + N
  dataSize: number; // bytes in the data section: file size − dataOffset
}

/**
 * Reads the header length from the first 8 bytes. Throws bad-file when the file is too short, the
 * length does not fit in the file, or is beyond MAX_HEADER_BYTES.
 */
export function parseHeaderLength(first8: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || first8.byteLength < 8) {
    throw badFile(file, `file is ${fileSize} bytes, too short for the 8-byte header length of a safetensors file`);
  }
  const view = new DataView(first8.buffer, first8.byteOffset, 8);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo; // exact up to 2^53; beyond that only "too large" matters
  if (hi >= 2 ** 21 || n > MAX_HEADER_BYTES) {
    throw badFile(
      file,
      `header length ${hi >= 2 ** 21 ? '≥ 2^53' : n} bytes is absurdly large (limit ${MAX_HEADER_BYTES})`,
    );
  }
  if (n > fileSize - 8) {
    throw badFile(file, `header length ${n} bytes is larger than the file (${fileSize} bytes)`);
  }
  if (n < 2) throw badFile(file, `header length ${n} bytes is too small to hold a JSON object`);
  return n;
}

/** Parses and validates the JSON header of a file of `fileSize` bytes whose header is `headerBytes`. */
export function parseHeaderJson(headerBytes: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  const dataOffset = 8 + headerBytes.byteLength;
  const dataSize = fileSize - dataOffset;
  const entries = countTopLevelKeys(headerBytes, MAX_TENSORS + 1); // "__metadata__" is one of them
  if (entries > MAX_TENSORS + 1) throw tooManyTensors(file);
  const json = parseJson(headerBytes, file, 'the header');
  if (!isJsonObject(json)) throw badFile(file, `the header must be a JSON object, got ${describeValue(json)}`);

  let metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  for (const key of Object.keys(json)) {
    const value = json[key];
    if (key === '__metadata__') {
      metadata = parseMetadata(value, file);
      continue;
    }
    tensors.set(key, parseEntry(key, value, dataSize, file));
  }
  if (tensors.size > MAX_TENSORS) throw tooManyTensors(file);
  checkOverlaps(tensors, file);
  return { tensors, metadata, dataOffset, dataSize };
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (value === null) return {}; // the reference reader treats null as absent
  if (!isJsonObject(value))
    throw badFile(file, `"__metadata__" must be an object of strings, got ${describeValue(value)}`);
  const out: Record<string, string> = {};
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (typeof v !== 'string') {
      throw badFile(file, `"__metadata__" value ${quote(k)} must be a string, got ${describeValue(v)}`);
    }
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function parseEntry(name: string, value: unknown, dataSize: number, file: string): TensorInfo {
  const at = `tensor ${quote(name)}`;
  if (!isJsonObject(value))
    throw badFile(file, `${at} must be an object {dtype, shape, data_offsets}, got ${describeValue(value)}`);

  const dtype = own(value, 'dtype');
  if (dtype === undefined) throw badFile(file, `${at} has no "dtype"`);
  if (!isDtype(dtype)) {
    if (typeof dtype === 'string' && UNSUPPORTED_DTYPES.includes(dtype)) {
      throw badFile(
        file,
        `${at} has dtype ${dtype}, which Stepwise does not support (supported: ${DTYPES.join(', ')})`,
        'convert the checkpoint to F32, F16 or BF16',
      );
    }
    throw badFile(file, `${at} has unknown dtype ${describeValue(dtype)} (supported: ${DTYPES.join(', ')})`);
  }

  const shapeValue = own(value, 'shape');
  if (!Array.isArray(shapeValue))
    throw badFile(file, `${at} needs "shape" as an array of integers, got ${describeValue(shapeValue)}`);
  const shape: number[] = [];
  let numel = 1;
  for (const d of shapeValue) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw badFile(
        file,
        `${at} has shape ${shortJson(shapeValue)}: dimension ${describeValue(d)} is not a non-negative integer`,
      );
    }
    shape.push(d);
  }
  for (const d of shape) {
    if (d === 0) {
      numel = 0;
      break;
    }
  }
  if (numel !== 0) {
    for (const d of shape) {
      if (numel > Number.MAX_SAFE_INTEGER / d) {
        throw badFile(
          file,
          `${at} has shape ${shortJson(shape)} with more elements than can be counted (gigantic dimensions)`,
        );
      }
      numel *= d;
    }
  }

  const offsets = own(value, 'data_offsets');
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw badFile(file, `${at} needs "data_offsets" as [begin, end], got ${describeValue(offsets)}`);
  }
  const [begin, end] = offsets as unknown[];
  for (const o of [begin, end]) {
    if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) {
      throw badFile(
        file,
        `${at} has data_offsets ${shortJson(offsets)}: ${describeValue(o)} is not a non-negative integer`,
      );
    }
  }
  const b = begin as number;
  const e = end as number;
  if (b > e) throw badFile(file, `${at} has data_offsets [${b}, ${e}] reversed (begin > end)`);
  if (e > dataSize) {
    throw badFile(
      file,
      `${at} has data_offsets [${b}, ${e}] past the end of the data section (${dataSize} bytes)`,
      'the file is truncated: download it again',
    );
  }
  const size = DTYPE_SIZES[dtype];
  const need = numel * size; // numel ≤ 2^53 and size ≤ 8: the product may round, but then it is far beyond e − b anyway
  if (need !== e - b) {
    throw badFile(
      file,
      `${at}: shape ${shortJson(shape)} of ${dtype} needs ${need} bytes but data_offsets [${b}, ${e}] span ${e - b}`,
    );
  }
  return { name, dtype, shape, numel, begin: b, end: e };
}

function tooManyTensors(file: string) {
  return badFile(
    file,
    `the header lists more than ${MAX_TENSORS.toLocaleString('en-US')} tensors, the most Stepwise reads from one file`,
    'a real checkpoint has far fewer: the file is damaged or hostile',
  );
}

/** Rejects two tensors whose byte ranges intersect (empty tensors occupy nothing). */
function checkOverlaps(tensors: Map<string, TensorInfo>, file: string): void {
  const spans = [...tensors.values()].filter((t) => t.end > t.begin).sort((x, y) => x.begin - y.begin);
  for (let i = 1; i < spans.length; i++) {
    const a = spans[i - 1];
    const c = spans[i];
    if (c.begin < a.end) {
      throw badFile(
        file,
        `tensors ${quote(a.name)} [${a.begin}, ${a.end}] and ${quote(c.name)} [${c.begin}, ${c.end}] overlap`,
      );
    }
  }
}

/** A tensor name for messages, quoted and cut short. */
export function quote(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
}

function shortJson(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
