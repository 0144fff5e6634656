// Stepwise's MaskGIT image-token generator (train/emoji_maskgit.py): a class-conditional bidirectional
// transformer with one token per latent grid position; each position's input sums one embedding per
// RVQ depth, and the head predicts every depth's code. No public architecture has these names, so the
// model_type is Stepwise's own ("stepwise-maskgit").

import type { ConfigFields } from './configFields.ts';
import { readStepwiseSection, type StepwiseSection } from './configStepwise.ts';

export interface MaskgitConfig {
  modelType: 'stepwise-maskgit';
  numClasses: number; // "num_classes": class labels; id num_classes is the null class (guidance)
  codebookSize: number; // "codebook_size": codes per RVQ depth; id codebook_size means masked
  numQuantizers: number; // "num_quantizers": RVQ depths per grid position
  nPositions: number; // "n_positions": grid positions (height · width), raster order
  nEmbd: number; // "n_embd": model width
  nLayer: number; // "n_layer": transformer blocks
  nHead: number; // "n_head": attention heads; n_embd % n_head == 0
  headDim: number; // n_embd / n_head (derived)
  layerNormEpsilon: number; // "layer_norm_epsilon" (default 1e-5)
  stepwise: StepwiseSection;
}

export function validateMaskgit(f: ConfigFields): MaskgitConfig {
  const numClasses = f.positiveInt('num_classes');
  const codebookSize = f.positiveInt('codebook_size');
  const numQuantizers = f.positiveInt('num_quantizers');
  const nPositions = f.positiveInt('n_positions');
  const nEmbd = f.positiveInt('n_embd');
  const nLayer = f.positiveInt('n_layer');
  const nHead = f.positiveInt('n_head');
  f.divides('n_embd', nEmbd, 'n_head', nHead, 'the width must split evenly across the heads');
  const stepwise = readStepwiseSection(f, codebookSize + 1);
  if (stepwise.maskTokenId !== undefined && stepwise.maskTokenId !== codebookSize)
    f.fail('stepwise', `mask_token_id must be codebook_size (${codebookSize}), got ${stepwise.maskTokenId}`);
  if (stepwise.classNames && stepwise.classNames.length !== numClasses)
    f.fail('stepwise', `class_names lists ${stepwise.classNames.length} names but num_classes is ${numClasses}`);
  return {
    modelType: 'stepwise-maskgit',
    numClasses,
    codebookSize,
    numQuantizers,
    nPositions,
    nEmbd,
    nLayer,
    nHead,
    headDim: nEmbd / nHead,
    layerNormEpsilon: f.optPositiveNumber('layer_norm_epsilon', 1e-5),
    stepwise,
  };
}
