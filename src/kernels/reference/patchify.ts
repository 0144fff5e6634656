// Float64 reference for non-overlapping image patches as rows (im2col of a stride-p, p×p convolution).

/** x [C, H, W] → [(H/p)·(W/p), C·p·p], patch (gy, gx) at row gy·(W/p) + gx, in (c, ky, kx) order. */
export function patchifyRef(x: ArrayLike<number>, C: number, H: number, W: number, p: number): Float64Array {
  const gw = W / p;
  const out = new Float64Array(C * H * W);
  for (let gy = 0; gy < H / p; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      for (let c = 0; c < C; c++) {
        for (let ky = 0; ky < p; ky++) {
          for (let kx = 0; kx < p; kx++) {
            out[(gy * gw + gx) * C * p * p + (c * p + ky) * p + kx] = x[(c * H + gy * p + ky) * W + gx * p + kx];
          }
        }
      }
    }
  }
  return out;
}

/** Conv2d(kernel_size=p, stride=p, no padding, no bias) of x [C, H, W] with weight [Cout, C, p, p]
 *  → [Cout, H/p, W/p], computed directly (to check patchify + matmul against). */
export function conv2dStridedRef(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  C: number,
  H: number,
  W: number,
  Cout: number,
  p: number,
): Float64Array {
  const [gh, gw] = [H / p, W / p];
  const out = new Float64Array(Cout * gh * gw);
  for (let o = 0; o < Cout; o++) {
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++) {
        let s = 0;
        for (let c = 0; c < C; c++) {
          for (let ky = 0; ky < p; ky++) {
            for (let kx = 0; kx < p; kx++) {
              s += w[((o * C + c) * p + ky) * p + kx] * x[(c * H + gy * p + ky) * W + gx * p + kx];
            }
          }
        }
        out[(o * gh + gy) * gw + gx] = s;
      }
    }
  }
  return out;
}
