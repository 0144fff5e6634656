// TiTok's input convention: an RGB image of crop_size² pixels, channel-major, values in [0, 1] (the
// reference divides 8-bit pixels by 255). Any RGBA image (as ImageData holds it) is brought there by
// a centre crop to a square and an area-average resize; alpha is ignored. The reference pipeline
// resizes with torchvision's antialiased bilinear filter instead, so for images not already at
// crop_size the pixels (and possibly a few token ids) can differ slightly from the reference's.

import { badInput } from '../shared/errors.ts';

/** RGBA bytes [height, width, 4] → [3, size, size] in [0, 1]. */
export function rgbaToTitokPixels(rgba: ArrayLike<number>, width: number, height: number, size: number): Float32Array {
  for (const [name, v] of [
    ['width', width],
    ['height', height],
    ['size', size],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw badInput(`image: ${name} must be a whole number ≥ 1, got ${v}`);
  }
  if (rgba.length !== width * height * 4) {
    throw badInput(`image: ${width}×${height} RGBA needs ${width * height * 4} bytes, got ${rgba.length}`);
  }
  // The centred square crop, then each output pixel averages the crop area it covers.
  const side = Math.min(width, height);
  const x0 = Math.floor((width - side) / 2);
  const y0 = Math.floor((height - side) / 2);
  const xs = areaWeights(side, size);
  const ys = areaWeights(side, size);
  const out = new Float32Array(3 * size * size); // [3, size, size]
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (const [sy, wy] of ys[oy]) {
          for (const [sx, wx] of xs[ox]) sum += wy * wx * rgba[((y0 + sy) * width + x0 + sx) * 4 + c];
        }
        out[(c * size + oy) * size + ox] = sum / 255;
      }
    }
  }
  return out;
}

/** For each of `n` output cells over `m` input cells: the input cells it covers and their weights (sum 1). */
function areaWeights(m: number, n: number): Array<Array<[number, number]>> {
  const scale = m / n;
  return Array.from({ length: n }, (_, o) => {
    const [a, b] = [o * scale, (o + 1) * scale];
    const cells: Array<[number, number]> = [];
    for (let i = Math.floor(a); i < Math.min(m, Math.ceil(b)); i++) {
      const w = Math.min(b, i + 1) - Math.max(a, i);
      if (w > 0) cells.push([i, w / scale]);
    }
    return cells;
  });
}
