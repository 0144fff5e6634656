import { describe, expect, it } from 'vitest';
import { rgbaToTitokPixels } from './titokImage.ts';

/** A width×height RGBA image whose channel c at (x, y) is f(x, y, c). */
function image(width: number, height: number, f: (x: number, y: number, c: number) => number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) for (let c = 0; c < 4; c++) out[(y * width + x) * 4 + c] = f(x, y, c);
  return out;
}

describe('rgbaToTitokPixels', () => {
  it('divides by 255 into channel-major planes when the image is already square at the size', () => {
    const rgba = image(3, 3, (x, y, c) => (c === 3 ? 7 : 10 * x + 30 * y + c));
    const px = rgbaToTitokPixels(rgba, 3, 3, 3);
    expect(px).toHaveLength(27);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 3; y++)
        for (let x = 0; x < 3; x++) expect(px[(c * 3 + y) * 3 + x]).toBeCloseTo((10 * x + 30 * y + c) / 255, 7);
  });

  it('averages whole blocks when shrinking by an integer factor', () => {
    const rgba = image(4, 4, (x, y) => (x < 2 ? (y < 2 ? 0 : 100) : y < 2 ? 200 : 255));
    const px = rgbaToTitokPixels(rgba, 4, 4, 2);
    expect(Array.from(px.subarray(0, 4)).map((v) => Math.round(v * 255))).toEqual([0, 200, 100, 255]);
    const noisy = image(4, 4, (x, y) => [0, 255][(x + y) % 2]); // a checkerboard averages to grey
    expect(Array.from(rgbaToTitokPixels(noisy, 4, 4, 2).subarray(0, 4))).toEqual(
      Array(4)
        .fill(127.5 / 255)
        .map(Math.fround),
    );
  });

  it('crops the centred square of a wide or tall image', () => {
    // 6×2: columns 0–1 and 4–5 are 255, the centre 2×2 is 0
    const wide = image(6, 2, (x) => (x >= 2 && x < 4 ? 0 : 255));
    expect(Array.from(rgbaToTitokPixels(wide, 6, 2, 2))).toEqual(Array(12).fill(0));
    const tall = image(1, 3, (_x, y) => (y === 1 ? 51 : 0));
    expect(Array.from(rgbaToTitokPixels(tall, 1, 3, 1))).toEqual([0.2, 0.2, 0.2].map(Math.fround));
  });

  it('keeps the mean when resizing to any size', () => {
    const rgba = image(7, 5, (x, y, c) => (x * 37 + y * 11 + c * 5) % 256);
    const px = rgbaToTitokPixels(rgba, 7, 5, 3); // crops the centre 5×5, then 5 → 3
    let want = 0;
    for (let y = 0; y < 5; y++) for (let x = 1; x < 6; x++) want += ((x * 37 + y * 11) % 256) / 255;
    const mean = px.subarray(0, 9).reduce((a, b) => a + b, 0) / 9;
    expect(mean).toBeCloseTo(want / 25, 5);
  });

  it('rejects sizes and byte counts that do not describe an image', () => {
    const bad = (f: () => unknown, message: RegExp) =>
      expect(f).toThrow(expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(message) }));
    bad(() => rgbaToTitokPixels(new Uint8Array(16), 2, 2, 0), /image: size must be a whole number ≥ 1, got 0/);
    bad(() => rgbaToTitokPixels(new Uint8Array(0), 0, 0, 4), /image: width must be a whole number ≥ 1, got 0/);
    bad(() => rgbaToTitokPixels(new Uint8Array(15), 2, 2, 4), /image: 2×2 RGBA needs 16 bytes, got 15/);
  });
});
