// Stepwise's residual-VQ image tokenizer (train/emoji_rvq.py): the codebooks and the convolutional
// decoder that turns a latent_size² grid of RVQ codes into an image_size² RGB image. The decoder has
// one residual block per entry of decoder_channels, with a nearest ×2 upsampling between levels, so
// image_size = latent_size · 2^(levels − 1). No public architecture has these names, so the model_type
// is Stepwise's own ("stepwise-rvq").

import { describeValue } from './fileErrors.ts';
import { MAX_DIM, type ConfigFields } from './configFields.ts';
import { readStepwiseSection, type StepwiseSection } from './configStepwise.ts';

export interface RvqConfig {
  modelType: 'stepwise-rvq';
  imageSize: number; // "image_size": side of the decoded image, pixels
  latentSize: number; // "latent_size": side of the token grid (latent_size² positions, raster order)
  codebookSize: number; // "codebook_size": codes per depth (K); the id K marks a masked (unknown) code
  numQuantizers: number; // "num_quantizers": RVQ depths (D), one codebook each
  codebookDim: number; // "codebook_dim": channels of the latent (codebook vector length)
  decoderChannels: number[]; // "decoder_channels": channels per decoder level, from latent_size up
  normGroups: number; // "norm_groups": GroupNorm groups; divides every decoder_channels entry
  normEps: number; // "norm_eps": GroupNorm epsilon (default 1e-5, PyTorch's)
  stepwise: StepwiseSection;
}

export function validateRvq(f: ConfigFields): RvqConfig {
  const imageSize = f.positiveInt('image_size');
  const latentSize = f.positiveInt('latent_size');
  const codebookSize = f.positiveInt('codebook_size');
  const numQuantizers = f.positiveInt('num_quantizers');
  const codebookDim = f.positiveInt('codebook_dim');
  const decoderChannels = positiveIntList(f, 'decoder_channels');
  const normGroups = f.positiveInt('norm_groups');
  decoderChannels.forEach((ch, i) => {
    if (ch % normGroups !== 0)
      f.fail('decoder_channels', `item ${i} (${ch}) must be divisible by "norm_groups" (${normGroups})`);
  });
  const upsampled = latentSize * 2 ** (decoderChannels.length - 1);
  if (upsampled !== imageSize) {
    f.fail(
      'image_size',
      `(${imageSize}) must be latent_size · 2^(levels − 1) = ${upsampled} for ${decoderChannels.length} decoder levels`,
    );
  }
  const stepwise = readStepwiseSection(f, codebookSize + 1);
  if (stepwise.maskTokenId !== undefined && stepwise.maskTokenId !== codebookSize)
    f.fail('stepwise', `mask_token_id must be codebook_size (${codebookSize}), got ${stepwise.maskTokenId}`);
  return {
    modelType: 'stepwise-rvq',
    imageSize,
    latentSize,
    codebookSize,
    numQuantizers,
    codebookDim,
    decoderChannels,
    normGroups,
    normEps: f.optPositiveNumber('norm_eps', 1e-5),
    stepwise,
  };
}

/** A required, non-empty array of integers in [1, MAX_DIM]. */
function positiveIntList(f: ConfigFields, field: string): number[] {
  const v = f.get(field);
  if (!Array.isArray(v) || v.length === 0)
    f.fail(field, `must be a non-empty array of positive integers, got ${describeValue(v)}`);
  v.forEach((n, i) => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_DIM)
      f.fail(field, `must be an array of positive integers, but item ${i} is ${describeValue(n)}`);
  });
  return v as number[];
}
