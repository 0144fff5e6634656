// Float64 reference for the stride-1, "same"-padded 2-D convolution of one channel-major image.

export function conv2dRef(
  x: ArrayLike<number>, // [Cin, H, W]
  weight: ArrayLike<number>, // [Cout, Cin, k, k]
  bias: ArrayLike<number> | null, // [Cout]
  shape: { cin: number; cout: number; height: number; width: number; k: number },
): Float64Array {
  const { cin, cout, height: H, width: W, k } = shape;
  const pad = (k - 1) / 2;
  const out = new Float64Array(cout * H * W); // [Cout, H, W]
  for (let o = 0; o < cout; o++) {
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        let s = bias ? bias[o] : 0;
        for (let i = 0; i < cin; i++) {
          for (let ky = 0; ky < k; ky++) {
            const ry = r + ky - pad;
            if (ry < 0 || ry >= H) continue;
            for (let kx = 0; kx < k; kx++) {
              const cx = c + kx - pad;
              if (cx < 0 || cx >= W) continue;
              s += weight[((o * cin + i) * k + ky) * k + kx] * x[(i * H + ry) * W + cx];
            }
          }
        }
        out[(o * H + r) * W + c] = s;
      }
    }
  }
  return out;
}
