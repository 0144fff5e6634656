// Element types Stepwise reads from safetensors files, with their sizes in bytes. The safetensors
// format defines more (U16, I16, U32, U64, F8_E4M3, F8_E5M2, …); files using those are rejected with a
// message that says the dtype is unsupported rather than unknown.

/** Supported dtype → bytes per element. */
export const DTYPE_SIZES = {
  F32: 4,
  F16: 2,
  BF16: 2,
  // F64 is accepted and narrowed to Float32Array on read (values beyond the f32 range become ±Inf and are
  // counted as non-finite), since no kernel computes in f64; real checkpoints rarely store it.
  F64: 8,
  I8: 1,
  U8: 1,
  I32: 4,
  // I64 (e.g. position-id buffers) is read as Int32Array; a value outside the int32 range is a bad file.
  I64: 8,
  BOOL: 1,
} as const;

export type Dtype = keyof typeof DTYPE_SIZES;

export const DTYPES = Object.keys(DTYPE_SIZES) as Dtype[];

/** Dtypes the safetensors format defines that Stepwise does not read. */
export const UNSUPPORTED_DTYPES = [
  'U16',
  'I16',
  'U32',
  'U64',
  'F8_E4M3',
  'F8_E5M2',
  'F8_E8M0',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'C64',
];

export function isDtype(s: unknown): s is Dtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_SIZES, s);
}

/** Floating-point dtypes, read as Float32Array with a count of NaN / ±Inf values. */
export function isFloatDtype(d: Dtype): boolean {
  return d === 'F32' || d === 'F16' || d === 'BF16' || d === 'F64';
}
