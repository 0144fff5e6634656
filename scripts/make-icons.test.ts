// The icon script writes valid PNGs (signature, chunk CRCs, size, pixels that inflate back), the
// committed icons are what it writes, and the maskable icon fills its square.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng } from '../src/cli/png.ts';
import { DEFAULT_OUT, drawIcon, ICONS, renderIcons } from './make-icons.ts';

function chunks(png: Uint8Array): Array<{ type: string; data: Uint8Array; crcOk: boolean }> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out = [];
  for (let at = 8; at < png.byteLength;) {
    const len = view.getUint32(at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    const crcOk = view.getUint32(at + 8 + len) === crc32(png.subarray(at + 4, at + 8 + len));
    out.push({ type, data, crcOk });
    at += 12 + len;
  }
  return out;
}

describe('make-icons', () => {
  it('crc32 matches the PNG specification’s check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('encodes a PNG whose pixels inflate back', () => {
    const rgba = drawIcon(16, false);
    const png = encodePng(16, 16, rgba);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const cs = chunks(png);
    expect(cs.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(cs.every((c) => c.crcOk)).toBe(true);
    const ihdr = new DataView(cs[0].data.buffer, cs[0].data.byteOffset);
    expect([ihdr.getUint32(0), ihdr.getUint32(4), cs[0].data[8], cs[0].data[9]]).toEqual([16, 16, 8, 6]);
    const raw = inflateSync(cs[1].data);
    expect(raw.byteLength).toBe(16 * (1 + 16 * 4));
    expect(raw[8 * (1 + 16 * 4) + 1 + 8 * 4 + 3]).toBe(255); // row 8, column 8: inside, opaque
  });

  it('leaves the regular icon’s corners transparent and fills the maskable one', () => {
    const regular = drawIcon(64, false);
    const maskable = drawIcon(64, true);
    expect(regular[3]).toBe(0);
    expect(maskable[3]).toBe(255);
  });

  it('the committed icons are what the script writes', () => {
    for (const { file, bytes } of renderIcons()) {
      expect(Buffer.compare(readFileSync(join(DEFAULT_OUT, file)), Buffer.from(bytes)), file).toBe(0);
    }
    expect(ICONS.map((i) => i.size)).toContain(192);
  });
});
