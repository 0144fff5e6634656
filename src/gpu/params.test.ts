import { describe, expect, it } from 'vitest';
import { packParams, reflectParams } from './params.ts';

describe('uniform params by reflection', () => {
  const code = `
    struct Params {
      n: u32,      // count
      offset: i32, // may be negative
      alpha: f32,
    }
    @group(0) @binding(0) var<uniform> params: Params;`;

  it('reads field names and types in declaration order', () => {
    expect(reflectParams(code)).toEqual([
      { name: 'n', type: 'u32' },
      { name: 'offset', type: 'i32' },
      { name: 'alpha', type: 'f32' },
    ]);
    expect(reflectParams('fn main() {}')).toEqual([]);
  });

  it('packs by name into 4-byte slots, padded to 16 bytes', () => {
    const buf = packParams(reflectParams(code), { alpha: 0.5, n: 7, offset: -3 }, 'k');
    expect(buf.byteLength).toBe(16);
    const v = new DataView(buf);
    expect([v.getUint32(0, true), v.getInt32(4, true), v.getFloat32(8, true)]).toEqual([7, -3, 0.5]);
  });

  it('rejects a missing, unknown or non-finite value, and non-scalar fields', () => {
    const fields = reflectParams(code);
    expect(() => packParams(fields, { n: 1, offset: 0 }, 'k')).toThrow(/Params.alpha is undefined/);
    expect(() => packParams(fields, { n: 1, offset: 0, alpha: 1, beta: 2 }, 'k')).toThrow(/"beta" is not a field/);
    expect(() => packParams(fields, { n: NaN, offset: 0, alpha: 1 }, 'k')).toThrow(/Params.n is NaN/);
    expect(() => reflectParams('struct Params { v: vec4f, }')).toThrow(/not a u32\/i32\/f32 scalar/);
  });
});
