// Uniform parameters by reflection: the WGSL source defines `struct Params { … }` once, and the
// wrapper passes values by field name. Layout comes from the struct, never from hand-kept offsets.
// Only 4-byte scalars (u32, i32, f32) are allowed, so offsets are 4·index and the size rounds to 16.

import { StepwiseError } from '../shared/errors.ts';

export type ScalarType = 'u32' | 'i32' | 'f32';
export interface ParamField {
  name: string;
  type: ScalarType;
}
export type ParamValues = Record<string, number>;

const STRUCT_RE = /struct\s+Params\s*\{([^}]*)\}/;
const FIELD_RE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(u32|i32|f32)\s*$/;

/** Fields of `struct Params` in declaration order; [] when the shader has no Params. */
export function reflectParams(code: string): ParamField[] {
  const m = STRUCT_RE.exec(code);
  if (!m) return [];
  const body = m[1].replace(/\/\/[^\n]*/g, '');
  return body
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((decl) => {
      const f = FIELD_RE.exec(decl);
      if (!f) throw new StepwiseError('internal', `struct Params field "${decl}" is not a u32/i32/f32 scalar`);
      return { name: f[1], type: f[2] as ScalarType };
    });
}

/** Packs values into the struct's byte layout; every field must be given, and no other. */
export function packParams(fields: ParamField[], values: ParamValues, label: string): ArrayBuffer {
  const size = Math.max(16, Math.ceil((fields.length * 4) / 16) * 16);
  const buf = new ArrayBuffer(size);
  const view = new DataView(buf);
  for (const key of Object.keys(values)) {
    if (!fields.some((f) => f.name === key)) {
      throw new StepwiseError('internal', `${label}: "${key}" is not a field of struct Params`);
    }
  }
  fields.forEach((f, i) => {
    const v = values[f.name];
    if (v === undefined || !Number.isFinite(v)) {
      throw new StepwiseError('internal', `${label}: Params.${f.name} is ${String(v)}`);
    }
    if (f.type === 'f32') view.setFloat32(i * 4, v, true);
    else if (f.type === 'u32') view.setUint32(i * 4, v >>> 0, true);
    else view.setInt32(i * 4, v | 0, true);
  });
  return buf;
}
