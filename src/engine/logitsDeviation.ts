// How far a model's logits with an attention setting (sparse attention, token merging) are from its
// logits with dense attention on the same input: the measure the diffusion and image sessions report.

import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { ModelAttention } from '../models/attentionMode.ts';

/** Runs `forward` with the setting and densely; relative L2 ‖a − d‖ / ‖d‖ and max |a − d|. */
export async function logitsDeviation(
  gpu: Gpu,
  forward: (attention: ModelAttention) => Tensor,
  attention: ModelAttention,
): Promise<{ relL2: number; maxAbs: number }> {
  const read = async (a: ModelAttention) => {
    const t = forward(a);
    try {
      return (await gpu.read(t)) as Float32Array;
    } finally {
      t.release();
    }
  };
  // Only these two fields: a caller may hand over whole session settings.
  const got = await read({ attention: attention.attention, mergeRatio: attention.mergeRatio });
  const want = await read({});
  let diff = 0;
  let norm = 0;
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) {
    const e = got[i] - want[i];
    diff += e * e;
    norm += want[i] * want[i];
    maxAbs = Math.max(maxAbs, Math.abs(e));
  }
  return { relL2: norm > 0 ? Math.sqrt(diff / norm) : Math.sqrt(diff), maxAbs };
}
