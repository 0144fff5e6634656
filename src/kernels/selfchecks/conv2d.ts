import { conv2d } from '../conv2d.ts';
import { conv2dRef } from '../reference/conv2d.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';

/** The image decoder's 3×3 conv at its 16×16 level, and its 1×1 post-quantisation conv. */
function conv2dCheck(
  name: string,
  shape: { cin: number; cout: number; height: number; width: number; k: number },
): KernelCheck {
  return {
    name,
    async run(gpu, rng) {
      const { cin, cout, height, width, k } = shape;
      const x = rng.floats(cin * height * width);
      const w = rng.floats(cout * cin * k * k, -0.2, 0.2);
      const b = rng.floats(cout);
      const tx = gpu.upload(x, [cin, height, width], 'x'); // [Cin, H, W]
      const tw = gpu.upload(w, [cout, cin, k, k], 'weight'); // [Cout, Cin, k, k]
      const tb = gpu.upload(b, [cout], 'bias'); // [Cout]
      const r = await measure(
        gpu,
        () => conv2d(gpu, tx, tw, tb),
        conv2dRef(x, w, b, shape),
        cin * k * k,
        `[${cin}, ${height}, ${width}] → ${cout} ${k}×${k}`,
      );
      tx.release();
      tw.release();
      tb.release();
      return r;
    },
  };
}

export const conv2dChecks: KernelCheck[] = [
  conv2dCheck('conv2d 3×3', { cin: 64, cout: 64, height: 16, width: 16, k: 3 }),
  conv2dCheck('conv2d 1×1', { cin: 32, cout: 32, height: 8, width: 8, k: 1 }),
];
