// Will this model fit the adapter? Checked from the tensor table alone, before weights are fetched:
// every tensor becomes one f32 storage buffer, so each must fit one buffer and one binding.

import type { KeyLimits } from '../gpu/adapter.ts';
import type { LoadedModel } from '../formats/modelFolder.ts';
import { badInput } from '../shared/errors.ts';

const MiB = 1024 * 1024;

export function checkFits(model: LoadedModel, limits: KeyLimits): void {
  const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  for (const name of model.checkpoint.names()) {
    const bytes = model.checkpoint.info(name).numel * 4;
    if (bytes > cap) {
      throw badInput(
        `${model.folder}: tensor "${name}" needs ${(bytes / MiB).toFixed(0)} MiB as f32, more than this GPU allows in one buffer (${(cap / MiB).toFixed(0)} MiB)`,
        'this model is too large for this adapter; try a smaller model',
      );
    }
  }
}
