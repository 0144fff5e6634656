import { layerNorm } from '../layernorm.ts';
import { layerNormRef } from '../reference/layernorm.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';

function layerNormCheck(name: string, withBias: boolean): KernelCheck {
  return {
    name,
    async run(gpu, rng) {
      const [T, C] = [37, 200];
      const eps = 1e-5;
      const x = rng.floats(T * C, -2, 3); // a non-zero mean, as activations have
      const w = rng.floats(C, 0.5, 1.5);
      const b = withBias ? rng.floats(C) : null;
      const tx = gpu.upload(x, [T, C], 'x'); // [T, C]
      const tw = gpu.upload(w, [C], 'weight'); // [C]
      const tb = b ? gpu.upload(b, [C], 'bias') : null; // [C]
      const r = await measure(
        gpu,
        () => layerNorm(gpu, tx, tw, tb, { eps }),
        layerNormRef(x, w, b, eps),
        C,
        `T=${T} C=${C}`,
      );
      tx.release();
      tw.release();
      tb?.release();
      return r;
    },
  };
}

export const layerNormChecks: KernelCheck[] = [
  layerNormCheck('layernorm', true),
  layerNormCheck('layernorm (no bias)', false),
];
