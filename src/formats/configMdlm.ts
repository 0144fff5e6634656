// MDLM config.json (kuleshov-group/mdlm-owt: MDLMConfig of its modeling code). The backbone is the
// DDiT of SEDD: adaLN-conditioned blocks, rotary attention, non-causal (see algorithms.md §5.1).

import type { ConfigFields } from './configFields.ts';
import { readStepwiseSection, type StepwiseSection } from './configStepwise.ts';

export interface MdlmConfig {
  modelType: 'mdlm';
  vocabSize: number; // "vocab_size": tokenizer vocabulary + 1 mask token (50258 for mdlm-owt)
  hiddenDim: number; // "hidden_dim": model width (768)
  condDim: number; // "cond_dim": width of the conditioning vector c feeding adaLN (128)
  nBlocks: number; // "n_blocks": DDiT blocks (12)
  nHeads: number; // "n_heads": attention heads; hidden_dim % n_heads == 0
  headDim: number; // hidden_dim / n_heads (derived; even, for rotary embeddings)
  modelLength: number; // "model_length": sequence length the model was trained on (1024)
  timeConditioning: boolean; // "time_conditioning" (default false: sigma is zeroed, c is a constant)
  // The [MASK] token: "stepwise.mask_token_id" when given, else vocab_size − 1 (the mdlm-owt convention:
  // GPT-2's 50257 tokens, then MASK = 50257). "dropout" is a training setting and is ignored.
  maskTokenId: number;
  stepwise: StepwiseSection;
}

export function validateMdlm(f: ConfigFields): MdlmConfig {
  const vocabSize = f.positiveInt('vocab_size');
  const hiddenDim = f.positiveInt('hidden_dim');
  const condDim = f.positiveInt('cond_dim');
  const nBlocks = f.positiveInt('n_blocks');
  const nHeads = f.positiveInt('n_heads');
  f.divides('hidden_dim', hiddenDim, 'n_heads', nHeads, 'the width must split evenly across the heads');
  const headDim = hiddenDim / nHeads;
  if (headDim % 2 !== 0)
    f.fail('hidden_dim', `/ n_heads gives an odd head dimension (${headDim}); rotary embeddings need an even one`);
  const modelLength = f.positiveInt('model_length');
  const timeConditioning = f.optBool('time_conditioning', false);
  if (vocabSize < 2)
    f.fail('vocab_size', `must leave room for a mask token besides at least one real token, got ${vocabSize}`);
  const stepwise = readStepwiseSection(f, vocabSize);
  return {
    modelType: 'mdlm',
    vocabSize,
    hiddenDim,
    condDim,
    nBlocks,
    nHeads,
    headDim,
    modelLength,
    timeConditioning,
    maskTokenId: stepwise.maskTokenId ?? vocabSize - 1,
    stepwise,
  };
}
