// Float64 reference for the Z-order reordering, built a different way from the kernel's bit
// interleaving: recursive quadrant subdivision (top-left, top-right, bottom-left, bottom-right) of
// each square, as LLSA's gen_permuatations builds it, with squares of side min(H, W) laid out along
// the longer side when the grid is not square.

/** perm[j] = the raster index of the token at Z-order position j of an H×W grid. */
export function mortonPermutationRef(height: number, width: number): number[] {
  const side = Math.min(height, width);
  const perm: number[] = [];
  const square = (y0: number, x0: number, s: number): void => {
    if (s === 1) {
      perm.push(y0 * width + x0);
      return;
    }
    const h = s / 2;
    square(y0, x0, h);
    square(y0, x0 + h, h);
    square(y0 + h, x0, h);
    square(y0 + h, x0 + h, h);
  };
  for (let y = 0; y < height; y += side) for (let x = 0; x < width; x += side) square(y, x, side);
  return perm;
}

/** x [H·W, C] in raster order → [H·W, C] in Z order (or back, with inverse). */
export function mortonReorderRef(x: ArrayLike<number>, height: number, width: number, inverse = false): Float64Array {
  const perm = mortonPermutationRef(height, width);
  const cols = x.length / perm.length;
  const out = new Float64Array(x.length);
  perm.forEach((r, j) => {
    const [dst, src] = inverse ? [r, j] : [j, r];
    for (let c = 0; c < cols; c++) out[dst * cols + c] = x[src * cols + c];
  });
  return out;
}
