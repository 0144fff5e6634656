// The PNG writer against Node's zlib (inflate what it wrote) and the format's fixed fields.
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng, scaleRgba } from './png.ts';

function chunks(png: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const view = new DataView(png.buffer, png.byteOffset);
  for (let o = 8; o < png.length;) {
    const n = view.getUint32(o);
    out.set(new TextDecoder().decode(png.subarray(o + 4, o + 8)), png.subarray(o + 8, o + 8 + n));
    o += 12 + n;
  }
  return out;
}

describe('encodePng', () => {
  it('writes the signature, a 3×2 RGBA header and scanlines that inflate back to the pixels', () => {
    const rgba = Uint8ClampedArray.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 256);
    const png = encodePng(3, 2, rgba);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const c = chunks(png);
    expect([...c.keys()]).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = new DataView(c.get('IHDR')!.buffer, c.get('IHDR')!.byteOffset);
    expect([ihdr.getUint32(0), ihdr.getUint32(4), ihdr.getUint8(8), ihdr.getUint8(9)]).toEqual([3, 2, 8, 6]);
    const raw = inflateSync(c.get('IDAT')!);
    expect(raw.length).toBe(2 * (1 + 12));
    expect(Array.from(raw.subarray(1, 13))).toEqual(Array.from(rgba.subarray(0, 12)));
    expect(Array.from(raw.subarray(14, 26))).toEqual(Array.from(rgba.subarray(12, 24)));
  });

  it('computes the chunk CRC of IEND as the PNG specification lists it (0xAE426082)', () => {
    const png = encodePng(1, 1, new Uint8ClampedArray(4));
    expect(Array.from(png.subarray(png.length - 4))).toEqual([0xae, 0x42, 0x60, 0x82]);
  });

  it('rejects a pixel buffer of the wrong size', () => {
    expect(() => encodePng(2, 2, new Uint8ClampedArray(15))).toThrow(/15 bytes/);
  });

  it('scales by an integer factor with nearest neighbours', () => {
    const rgba = Uint8ClampedArray.from([1, 2, 3, 4, 5, 6, 7, 8]); // 2×1
    const s = scaleRgba(2, 1, rgba, 2); // 4×2
    expect(Array.from(s.subarray(0, 16))).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 5, 6, 7, 8]);
    expect(Array.from(s.subarray(16))).toEqual(Array.from(s.subarray(0, 16)));
  });
});
