// What a TiTok model will hold on the GPU, from config.json and the checkpoint's tensor table alone,
// so it can be shown and checked before any weights are fetched. Weights are uploaded one tensor at a
// time as f32 buffers, so the limits that matter are per buffer: each weight and each activation must
// fit one storage binding. The biggest activations are the pixel decoder's full-resolution feature
// maps (TiTok-L-32: 128 channels × 256² × 4 B = 32 MiB), under WebGPU's default 128 MiB binding.

import type { KeyLimits } from '../gpu/adapter.ts';
import { readTitokGenerator, readTitokTokenizer } from '../formats/configTitok.ts';
import type { LoadedModel } from '../formats/modelFolder.ts';
import { badInput } from '../shared/errors.ts';
import { titokRole } from './titokRole.ts';
import type { TitokLoadOptions } from './titokTokenizer.ts';

const MiB = 1024 * 1024;

export interface TitokMemory {
  weightBytes: number; // the weights this role loads, as f32 (an upper bound: a few embeddings are summed on load)
  largestWeight: { name: string; bytes: number }; // the largest weight buffer
  largestActivation: { name: string; bytes: number }; // the largest buffer a forward creates
}

/** The tensors a role uploads: every float tensor of its modules (buffers such as position_ids aside). */
function usedTensors(model: LoadedModel, options: TitokLoadOptions): string[] {
  const role = titokRole(model);
  const tokenizerParts = ['decoder.', 'quantize.', 'pixel_quantize.', 'pixel_decoder.'];
  if (options.encoder !== false) tokenizerParts.push('encoder.', 'latent_tokens');
  return model.checkpoint.names().filter((name) => {
    const info = model.checkpoint.info(name);
    if (!['F32', 'F16', 'BF16'].includes(info.dtype)) return false;
    return role === 'generator' ? name.startsWith('model.') : tokenizerParts.some((p) => name.startsWith(p));
  });
}

export function titokMemory(model: LoadedModel, options: TitokLoadOptions = {}): TitokMemory {
  if (model.config.modelType !== 'titok') throw badInput(`${model.folder} is not a TiTok model`);
  let weightBytes = 0;
  let largestWeight = { name: '', bytes: 0 };
  for (const name of usedTensors(model, options)) {
    const bytes = model.checkpoint.info(name).numel * 4;
    weightBytes += bytes;
    if (bytes > largestWeight.bytes) largestWeight = { name, bytes };
  }
  const file = `${model.folder}/config.json`;
  const activations: Array<[string, number]> = []; // [what, f32 values]
  if (titokRole(model) === 'generator') {
    const g = readTitokGenerator(model.config, file);
    const T = g.imageSeqLen + 1;
    activations.push(['generator MLP', T * g.intermediateSize], ['generator logits', g.imageSeqLen * g.codebookSize]);
  } else {
    const t = readTitokTokenizer(model.config, file);
    const { decoder: d, encoder: e, pixelDecoder: px, imageSize: S, numLatentTokens: L } = t;
    const G = S / d.patchSize;
    activations.push(['decoder ViT MLP', (1 + G * G + L) * 4 * d.width]);
    activations.push(['decoder logits over the pixel codebook', G * G * Math.max(2 * d.width, px.numEmbeddings)]);
    // Pixel decoder level i works at side G·2^(n−1−i) and is upsampled to twice that; its first block
    // reads ch(i+1) channels.
    const n = px.channelMult.length;
    const ch = (i: number): number => px.hiddenChannels * px.channelMult[Math.min(i, n - 1)];
    for (let i = n - 1; i >= 0; i--) {
      const side = G * 2 ** (n - 1 - i);
      activations.push([`pixel decoder level ${i}`, Math.max(ch(i + 1), ch(i)) * side * side]);
      if (i > 0) activations.push([`pixel decoder level ${i} upsampled`, ch(i) * 4 * side * side]);
    }
    if (options.encoder !== false) {
      const Ge = S / e.patchSize;
      activations.push(['encoder ViT MLP', (1 + Ge * Ge + L) * 4 * e.width], ['encoder patches', 3 * S * S]);
    }
  }
  const [name, values] = activations.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { weightBytes, largestWeight, largestActivation: { name, bytes: values * 4 } };
}

/** Throws bad-input naming the weight or activation that would not fit one buffer of this adapter. */
export function checkTitokFits(
  model: LoadedModel,
  limits: Pick<KeyLimits, 'maxBufferSize' | 'maxStorageBufferBindingSize'>,
  options: TitokLoadOptions = {},
): TitokMemory {
  const m = titokMemory(model, options);
  const cap = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  for (const [what, x] of [
    ['tensor', m.largestWeight],
    ['activation', m.largestActivation],
  ] as const) {
    if (x.bytes > cap) {
      throw badInput(
        `${model.folder}: the ${what} "${x.name}" needs ${(x.bytes / MiB).toFixed(1)} MiB as f32, more than this GPU allows in one buffer (${(cap / MiB).toFixed(1)} MiB)`,
        'this model is too large for this adapter',
      );
    }
  }
  return m;
}
