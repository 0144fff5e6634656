// PNG encoding of RGBA pixels in Node — the CLI's images and the app's icons (the browser uses
// canvas.toBlob): signature, IHDR, one IDAT of zlib-deflated scanlines (filter 0, level 9), IEND;
// CRC-32 per chunk (ISO 3309, as PNG specifies).

import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** RGBA pixels [height, width, 4] → PNG bytes (8-bit RGBA, no interlace). */
export function encodePng(width: number, height: number, rgba: Uint8ClampedArray | Uint8Array): Uint8Array {
  if (rgba.length !== width * height * 4)
    throw new Error(`encodePng: ${rgba.length} bytes for ${width}×${height} RGBA`);
  const header = new Uint8Array(13);
  const h = new DataView(header.buffer);
  h.setUint32(0, width);
  h.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, filter set 0, no interlace
  const raw = new Uint8Array(height * (1 + width * 4)); // each scanline: filter byte 0, then pixels
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (1 + width * 4) + 1);
  const parts = [
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Nearest-neighbour enlargement by an integer factor, for images small enough to need it. */
export function scaleRgba(width: number, height: number, rgba: Uint8ClampedArray, factor: number): Uint8ClampedArray {
  const W = width * factor;
  const out = new Uint8ClampedArray(W * height * factor * 4);
  for (let y = 0; y < height * factor; y++) {
    for (let x = 0; x < W; x++) {
      const src = (Math.floor(y / factor) * width + Math.floor(x / factor)) * 4;
      out.set(rgba.subarray(src, src + 4), (y * W + x) * 4);
    }
  }
  return out;
}
