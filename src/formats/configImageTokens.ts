// Stepwise's image-token generators over an RVQ grid, class-conditional transformers with one token
// per latent grid position: "stepwise-maskgit" (bidirectional, train/emoji_maskgit.py) and
// "stepwise-ar" (causal with a depth head, train/emoji_ar.py). No public architecture has these
// names, so the model types are Stepwise's own; both share these fields.

import type { ConfigFields } from './configFields.ts';
import { readStepwiseSection, type StepwiseSection } from './configStepwise.ts';

interface ImageTokenTransformerConfig {
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

export interface MaskgitConfig extends ImageTokenTransformerConfig {
  modelType: 'stepwise-maskgit';
}

export interface ArImageConfig extends ImageTokenTransformerConfig {
  modelType: 'stepwise-ar';
}

export function validateMaskgit(f: ConfigFields): MaskgitConfig {
  return { modelType: 'stepwise-maskgit', ...readImageTokenTransformer(f) };
}

export function validateArImage(f: ConfigFields): ArImageConfig {
  return { modelType: 'stepwise-ar', ...readImageTokenTransformer(f) };
}

function readImageTokenTransformer(f: ConfigFields): ImageTokenTransformerConfig {
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
