// GPT-2 config.json (transformers' GPT2Config, e.g. openai-community/gpt2). Field names are the real
// ones; the checkpoint's tensor names (wte, wpe, h.{i}.attn.c_attn, …) are the models layer's business.

import type { ConfigFields } from './configFields.ts';
import { readStepwiseSection, type StepwiseSection } from './configStepwise.ts';

export interface Gpt2Config {
  modelType: 'gpt2';
  vocabSize: number; // "vocab_size": rows of wte (50257 for GPT-2)
  nPositions: number; // "n_positions": rows of wpe, the longest context
  nEmbd: number; // "n_embd": model width
  nLayer: number; // "n_layer": transformer blocks
  nHead: number; // "n_head": attention heads; n_embd % n_head == 0
  headDim: number; // n_embd / n_head (derived)
  nInner: number; // "n_inner": MLP width; null or absent means 4 · n_embd
  layerNormEpsilon: number; // "layer_norm_epsilon" (default 1e-5)
  // "activation_function": "gelu_new" is GELU with the tanh approximation; "gelu_pytorch_tanh" is the
  // same function under its PyTorch name and is normalised to "gelu_new". Others are rejected.
  activationFunction: 'gelu_new';
  tieWordEmbeddings: boolean; // "tie_word_embeddings" (default true: the LM head is wte)
  bosTokenIds: number[]; // "bos_token_id" ([] when absent)
  eosTokenIds: number[]; // "eos_token_id" ([] when absent)
  stepwise: StepwiseSection;
}

export function validateGpt2(f: ConfigFields): Gpt2Config {
  const vocabSize = f.positiveInt('vocab_size');
  const nPositions = f.positiveInt('n_positions');
  const nEmbd = f.positiveInt('n_embd');
  const nLayer = f.positiveInt('n_layer');
  const nHead = f.positiveInt('n_head');
  f.divides('n_embd', nEmbd, 'n_head', nHead, 'the width must split evenly across the heads');
  const nInner = f.optPositiveInt('n_inner', 4 * nEmbd);
  const layerNormEpsilon = f.optPositiveNumber('layer_norm_epsilon', 1e-5);
  f.oneOf('activation_function', ['gelu_new', 'gelu_pytorch_tanh'] as const, 'activation');
  // Attention variants GPT2Config can switch on but Stepwise does not implement.
  if (!f.optBool('scale_attn_weights', true))
    f.fail('scale_attn_weights', 'false is not supported (Stepwise scales by 1/√head_dim)');
  if (f.optBool('scale_attn_by_inverse_layer_idx', false))
    f.fail('scale_attn_by_inverse_layer_idx', 'true is not supported');
  return {
    modelType: 'gpt2',
    vocabSize,
    nPositions,
    nEmbd,
    nLayer,
    nHead,
    headDim: nEmbd / nHead,
    nInner,
    layerNormEpsilon,
    activationFunction: 'gelu_new',
    tieWordEmbeddings: f.optBool('tie_word_embeddings', true),
    bosTokenIds: f.tokenIds('bos_token_id', vocabSize),
    eosTokenIds: f.tokenIds('eos_token_id', vocabSize),
    stepwise: readStepwiseSection(f, vocabSize),
  };
}
