// Will this model fit the adapter? Checked from the tensor table alone, before weights are fetched:
// every tensor becomes one f32 storage buffer, so each must fit one buffer and one binding, and all of
// them together must fit the memory the device has, when that is known (a CPU adapter's host memory).

import type { KeyLimits } from '../gpu/adapter.ts';
import type { LoadedModel } from '../formats/modelFolder.ts';
import { badInput } from '../shared/errors.ts';

const MiB = 1024 * 1024;

/** What the device can still hold: its memory (null when unknown) less what is already in use. */
export interface MemoryRoom {
  budget: number | null; // bytes the device can hold at most
  used: number; // bytes of weights already on it
}

export function checkFits(model: LoadedModel, limits: KeyLimits, room?: MemoryRoom): void {
  const cap = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  let total = 0;
  for (const name of model.checkpoint.names()) {
    const bytes = model.checkpoint.info(name).numel * 4;
    total += bytes;
    if (bytes > cap) {
      throw badInput(
        `${model.folder}: tensor "${name}" needs ${(bytes / MiB).toFixed(0)} MiB as f32, more than this GPU allows in one buffer (${(cap / MiB).toFixed(0)} MiB)`,
        'this model is too large for this adapter; try a smaller model',
      );
    }
  }
  if (room?.budget != null && total + room.used > room.budget) {
    const used = room.used > 0 ? `, ${(room.used / MiB).toFixed(0)} MiB of it taken by loaded models` : '';
    throw badInput(
      `${model.folder}: the weights need ${(total / MiB).toFixed(0)} MiB as f32, more than this device can hold (${(room.budget / MiB).toFixed(0)} MiB${used})`,
      room.used > 0 ? 'unload other models first, or try a smaller model' : 'try a smaller model',
    );
  }
}
