// Float64 reference for nearest-neighbour ×2 upsampling of a channel-major image.

export function upsample2xRef(
  x: ArrayLike<number>, // [C, H, W]
  channels: number,
  height: number,
  width: number,
): Float64Array {
  const out = new Float64Array(channels * 4 * height * width); // [C, 2H, 2W]
  for (let c = 0; c < channels; c++) {
    for (let r = 0; r < 2 * height; r++) {
      for (let col = 0; col < 2 * width; col++) {
        out[(c * 2 * height + r) * 2 * width + col] = x[(c * height + Math.floor(r / 2)) * width + Math.floor(col / 2)];
      }
    }
  }
  return out;
}
