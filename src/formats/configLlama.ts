// Llama config.json (transformers' LlamaConfig, e.g. HuggingFaceTB/SmolLM2-135M). Defaults are
// LlamaConfig's where the field is optional there; rope scaling variants are not supported yet.

import type { ConfigFields } from './configFields.ts';
import { readStepwiseSection, type StepwiseSection } from './configStepwise.ts';

export interface LlamaConfig {
  modelType: 'llama';
  vocabSize: number; // "vocab_size"
  hiddenSize: number; // "hidden_size": model width
  intermediateSize: number; // "intermediate_size": SwiGLU MLP width
  numHiddenLayers: number; // "num_hidden_layers"
  numAttentionHeads: number; // "num_attention_heads": query heads
  numKeyValueHeads: number; // "num_key_value_heads": K/V heads (GQA); default num_attention_heads; divides it
  // "head_dim": per-head width; default hidden_size / num_attention_heads (then the division must be
  // exact). When given it need not divide hidden_size (q_proj is [heads · head_dim, hidden]). Even, for RoPE.
  headDim: number;
  rmsNormEps: number; // "rms_norm_eps" (LlamaConfig default 1e-6)
  ropeTheta: number; // "rope_theta" (default 10000); also read from "rope_parameters" of newer files
  maxPositionEmbeddings: number; // "max_position_embeddings" (LlamaConfig default 2048)
  tieWordEmbeddings: boolean; // "tie_word_embeddings" (default false: a separate lm_head.weight)
  hiddenAct: 'silu'; // "hidden_act": only SiLU (SwiGLU) is supported
  attentionBias: boolean; // "attention_bias" (default false): q/k/v/o projections carry biases
  mlpBias: boolean; // "mlp_bias" (default false): gate/up/down projections carry biases
  bosTokenIds: number[]; // "bos_token_id"
  eosTokenIds: number[]; // "eos_token_id" (an id or a list of ids)
  stepwise: StepwiseSection;
}

export function validateLlama(f: ConfigFields): LlamaConfig {
  const vocabSize = f.positiveInt('vocab_size');
  const hiddenSize = f.positiveInt('hidden_size');
  const intermediateSize = f.positiveInt('intermediate_size');
  const numHiddenLayers = f.positiveInt('num_hidden_layers');
  const numAttentionHeads = f.positiveInt('num_attention_heads');
  const numKeyValueHeads = f.optPositiveInt('num_key_value_heads', numAttentionHeads);
  f.divides(
    'num_attention_heads',
    numAttentionHeads,
    'num_key_value_heads',
    numKeyValueHeads,
    'each K/V head serves a whole group of query heads',
  );
  let headDim = f.optPositiveInt('head_dim');
  if (headDim === undefined) {
    f.divides('hidden_size', hiddenSize, 'num_attention_heads', numAttentionHeads, 'or give "head_dim" explicitly');
    headDim = hiddenSize / numAttentionHeads;
  }
  if (headDim % 2 !== 0)
    f.fail(
      f.has('head_dim') ? 'head_dim' : 'hidden_size',
      `gives an odd head dimension (${headDim}); rotary embeddings need an even one`,
    );

  f.oneOf('hidden_act', ['silu'] as const, 'activation');
  let ropeTheta = f.optPositiveNumber('rope_theta', 10000);
  if (f.has('rope_scaling')) {
    f.fail(
      'rope_scaling',
      'is set, but RoPE scaling (linear, dynamic, yarn, llama3 …) is not supported yet',
      'use a checkpoint without rope_scaling',
    );
  }
  // Newer transformers write {"rope_parameters": {"rope_type": "default", "rope_theta": …}} instead.
  const rope = f.optObject('rope_parameters');
  if (rope) {
    rope.oneOf('rope_type', ['default'] as const, 'RoPE type (scaled RoPE is not supported yet)');
    if (!f.has('rope_theta')) ropeTheta = rope.optPositiveNumber('rope_theta', 10000);
  }
  return {
    modelType: 'llama',
    vocabSize,
    hiddenSize,
    intermediateSize,
    numHiddenLayers,
    numAttentionHeads,
    numKeyValueHeads,
    headDim,
    rmsNormEps: f.optPositiveNumber('rms_norm_eps', 1e-6),
    ropeTheta,
    maxPositionEmbeddings: f.optPositiveInt('max_position_embeddings', 2048),
    tieWordEmbeddings: f.optBool('tie_word_embeddings', false),
    hiddenAct: 'silu',
    attentionBias: f.optBool('attention_bias', false),
    mlpBias: f.optBool('mlp_bias', false),
    bosTokenIds: f.tokenIds('bos_token_id', vocabSize),
    eosTokenIds: f.tokenIds('eos_token_id', vocabSize),
    stepwise: readStepwiseSection(f, vocabSize),
  };
}
