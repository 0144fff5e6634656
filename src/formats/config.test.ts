// config.json: the real configs of GPT-2, SmolLM2 (Llama) and mdlm-owt parse to typed, normalised
// configs; every bad field gives a bad-file error naming config.json and the field; properties.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE, knownModelTypes, parseModelConfig, type ModelConfig } from './config.ts';
import { byteMutations, jsonBytes, jsonMutations, mutateBytes, mutateJson, nastyJson } from './fuzz.ts';
import { expectFileError, isFileError } from './testing.ts';

// openai-community/gpt2 config.json (n_inner absent → 4 · n_embd).
const GPT2 = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  attn_pdrop: 0.1,
  bos_token_id: 50256,
  embd_pdrop: 0.1,
  eos_token_id: 50256,
  initializer_range: 0.02,
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_layer: 12,
  n_positions: 1024,
  resid_pdrop: 0.1,
  summary_activation: null,
  summary_first_dropout: 0.1,
  summary_proj_to_labels: true,
  summary_type: 'cls_index',
  summary_use_proj: true,
  task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
  vocab_size: 50257,
};

// HuggingFaceTB/SmolLM2-135M config.json.
const SMOLLM2 = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 0,
  eos_token_id: 0,
  hidden_act: 'silu',
  hidden_size: 576,
  initializer_range: 0.041666666666666664,
  intermediate_size: 1536,
  is_llama_config: true,
  max_position_embeddings: 8192,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 9,
  num_hidden_layers: 30,
  num_key_value_heads: 3,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_interleaved: false,
  rope_scaling: null,
  rope_theta: 100000,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.40.1',
  use_cache: true,
  vocab_size: 49152,
};

// kuleshov-group/mdlm-owt config.json.
const MDLM = {
  architectures: ['MDLM'],
  auto_map: { AutoConfig: 'configuration_mdlm.MDLMConfig', AutoModelForMaskedLM: 'modeling_mdlm.MDLM' },
  cond_dim: 128,
  dropout: 0.1,
  hidden_dim: 768,
  model_length: 1024,
  model_type: 'mdlm',
  n_blocks: 12,
  n_heads: 12,
  return_dict: false,
  time_conditioning: false,
  torch_dtype: 'float32',
  transformers_version: '4.38.2',
  vocab_size: 50258,
};

const parse = (v: unknown): ModelConfig => parseModelConfig(JSON.stringify(v));
const bad = (v: unknown, problem: RegExp) => expectFileError(() => parse(v), 'bad-file', CONFIG_FILE, problem);
const without = (o: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

describe('config.json: real configs', () => {
  it('GPT-2', () => {
    const c = parse(GPT2);
    expect(c.modelType).toBe('gpt2');
    if (c.modelType !== 'gpt2') return;
    expect(c).toMatchObject({
      vocabSize: 50257,
      nPositions: 1024,
      nEmbd: 768,
      nLayer: 12,
      nHead: 12,
      headDim: 64,
      nInner: 3072,
      layerNormEpsilon: 1e-5,
    });
    expect(c.activationFunction).toBe('gelu_new');
    expect(c.tieWordEmbeddings).toBe(true);
    expect(c.eosTokenIds).toEqual([50256]);
    expect(c.stepwise).toEqual({});
    expect(c.raw.summary_type).toBe('cls_index');
    expect(
      parse({ ...GPT2, n_inner: null }).modelType === 'gpt2' &&
        (parse({ ...GPT2, n_inner: 100 }) as { nInner: number }).nInner,
    ).toBe(100);
  });

  it('Llama (SmolLM2-135M): GQA, head_dim derived, defaults', () => {
    const c = parse(SMOLLM2);
    if (c.modelType !== 'llama') throw new Error(c.modelType);
    expect(c).toMatchObject({
      hiddenSize: 576,
      numAttentionHeads: 9,
      numKeyValueHeads: 3,
      headDim: 64,
      rmsNormEps: 1e-5,
      ropeTheta: 100000,
      tieWordEmbeddings: true,
      maxPositionEmbeddings: 8192,
    });
    const minimal = parse({
      model_type: 'llama',
      vocab_size: 100,
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 2,
      num_attention_heads: 4,
    });
    if (minimal.modelType !== 'llama') throw new Error();
    expect(minimal).toMatchObject({
      numKeyValueHeads: 4,
      headDim: 16,
      ropeTheta: 10000,
      rmsNormEps: 1e-6,
      tieWordEmbeddings: false,
      hiddenAct: 'silu',
      maxPositionEmbeddings: 2048,
    });
    // An explicit head_dim need not divide hidden_size.
    const explicit = parse({ ...SMOLLM2, num_attention_heads: 5, num_key_value_heads: 5, head_dim: 64 });
    expect(explicit.modelType === 'llama' && explicit.headDim).toBe(64);
    // Newer transformers: rope_parameters instead of rope_theta.
    const rp = parse({ ...without(SMOLLM2, 'rope_theta'), rope_parameters: { rope_type: 'default', rope_theta: 5e5 } });
    expect(rp.modelType === 'llama' && rp.ropeTheta).toBe(5e5);
  });

  it('MDLM (mdlm-owt): mask token = vocab_size − 1 unless stepwise.mask_token_id', () => {
    const c = parse(MDLM);
    if (c.modelType !== 'mdlm') throw new Error();
    expect(c).toMatchObject({
      vocabSize: 50258,
      hiddenDim: 768,
      condDim: 128,
      nBlocks: 12,
      nHeads: 12,
      headDim: 64,
      modelLength: 1024,
      timeConditioning: false,
      maskTokenId: 50257,
    });
    const m = parse({ ...MDLM, stepwise: { mask_token_id: 3, task: 'masked-diffusion' } });
    expect(m.modelType === 'mdlm' && m.maskTokenId).toBe(3);
    expect(m.stepwise).toEqual({ maskTokenId: 3, task: 'masked-diffusion' });
  });

  it('reads the stepwise section', () => {
    const c = parse({
      ...GPT2,
      stepwise: { task: 'text-generation', class_names: ['a', 'b'], tokenizer_model: 'emoji-vq', future_key: 1 },
    });
    expect(c.stepwise).toEqual({ task: 'text-generation', classNames: ['a', 'b'], tokenizerModel: 'emoji-vq' });
  });

  it('knows gpt2, llama, mdlm, stepwise-ar, stepwise-maskgit, stepwise-rvq, titok', () =>
    expect(knownModelTypes()).toEqual([
      'gpt2',
      'llama',
      'mdlm',
      'stepwise-ar',
      'stepwise-maskgit',
      'stepwise-rvq',
      'titok',
    ]));
});

describe('config.json: bad files', () => {
  it('rejects text that is not JSON', () =>
    expectFileError(
      () => parseModelConfig('{"model_type": "gpt2",'),
      'bad-file',
      CONFIG_FILE,
      /config.json: the file is not valid JSON/,
    ));
  it('rejects JSON that is not an object', () =>
    expectFileError(() => parseModelConfig('[1]'), 'bad-file', CONFIG_FILE, /must be a JSON object, got an array/));
  it('rejects a missing model_type, listing the known ones', () =>
    bad(
      without(GPT2, 'model_type'),
      /required field "model_type" is missing \(known model types: gpt2, llama, mdlm, stepwise-ar, stepwise-maskgit, stepwise-rvq, titok; TiTok's configs have none and are recognised by their model.vq_model section\)/,
    ));
  it('rejects an unknown model_type, listing the known ones', () =>
    bad(
      { ...GPT2, model_type: 'mamba' },
      /unknown model_type "mamba" \(a string\) \(known model types: gpt2, llama, mdlm, stepwise-ar, stepwise-maskgit, stepwise-rvq, titok\)/,
    ));
  it('rejects a model_type that is not a string', () => bad({ ...GPT2, model_type: 2 }, /unknown model_type 2/));
  it('rejects "toString" as a model_type (no prototype lookups)', () =>
    bad({ ...GPT2, model_type: 'toString' }, /unknown model_type "toString"/));

  const required: [string, Record<string, unknown>, string[]][] = [
    ['gpt2', GPT2, ['vocab_size', 'n_positions', 'n_embd', 'n_layer', 'n_head']],
    ['llama', SMOLLM2, ['vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads']],
    ['mdlm', MDLM, ['vocab_size', 'hidden_dim', 'cond_dim', 'n_blocks', 'n_heads', 'model_length']],
  ];
  for (const [type, base, fields] of required) {
    for (const field of fields) {
      it(`${type}: rejects a missing "${field}"`, () =>
        bad(without(base, field), new RegExp(`field "${field}" is required but missing`)));
      it(`${type}: rejects a string where "${field}" needs a number`, () =>
        bad(
          { ...base, [field]: '12' },
          new RegExp(`field "${field}" must be a positive integer, got "12" \\(a string\\)`),
        ));
      it(`${type}: rejects a negative "${field}"`, () =>
        bad({ ...base, [field]: -3 }, new RegExp(`field "${field}" must be a positive integer, got -3`)));
      it(`${type}: rejects a zero "${field}"`, () =>
        bad({ ...base, [field]: 0 }, new RegExp(`field "${field}" must be a positive integer, got 0`)));
    }
  }
  it('rejects a null required field', () => bad({ ...GPT2, n_layer: null }, /field "n_layer" is required but null/));
  it('rejects a fractional layer count', () =>
    bad({ ...GPT2, n_layer: 2.5 }, /field "n_layer" must be a positive integer, got 2.5/));
  it('rejects a gigantic width', () =>
    bad({ ...GPT2, n_embd: 2 ** 40 }, /field "n_embd" must be a positive integer, got 1099511627776/));
  it('rejects a boolean where a number belongs', () =>
    bad({ ...MDLM, n_blocks: true }, /field "n_blocks" must be a positive integer, got true \(a boolean\)/));

  it('gpt2: rejects n_head not dividing n_embd', () =>
    bad({ ...GPT2, n_head: 5 }, /field "n_embd" \(768\) must be divisible by "n_head" \(5\)/));
  it('gpt2: rejects a negative n_inner', () =>
    bad({ ...GPT2, n_inner: -1 }, /field "n_inner" must be a positive integer, got -1/));
  it('gpt2: rejects a zero or string layer_norm_epsilon', () =>
    bad({ ...GPT2, layer_norm_epsilon: '1e-5' }, /field "layer_norm_epsilon" must be a positive number/));
  it('gpt2: rejects another activation', () =>
    bad(
      { ...GPT2, activation_function: 'relu' },
      /field "activation_function" "relu" \(a string\) is not a supported activation \(supported: gelu_new, gelu_pytorch_tanh\)/,
    ));
  it('gpt2: rejects scale_attn_by_inverse_layer_idx', () =>
    bad(
      { ...GPT2, scale_attn_by_inverse_layer_idx: true },
      /field "scale_attn_by_inverse_layer_idx" true is not supported/,
    ));
  it('gpt2: rejects an eos_token_id outside the vocabulary', () =>
    bad({ ...GPT2, eos_token_id: 50257 }, /field "eos_token_id" must be a token id in \[0, 50257\)/));

  it('llama: rejects hidden_size not divisible by num_attention_heads', () =>
    bad(
      { ...SMOLLM2, num_attention_heads: 7, num_key_value_heads: 7 },
      /field "hidden_size" \(576\) must be divisible by "num_attention_heads" \(7\)/,
    ));
  it('llama: rejects num_attention_heads not divisible by num_key_value_heads', () =>
    bad(
      { ...SMOLLM2, num_key_value_heads: 4 },
      /field "num_attention_heads" \(9\) must be divisible by "num_key_value_heads" \(4\)/,
    ));
  it('llama: rejects an odd head dimension (RoPE)', () =>
    bad({ ...SMOLLM2, head_dim: 63 }, /field "head_dim" gives an odd head dimension \(63\)/));
  it('llama: rejects rope_scaling, saying it is unsupported', () =>
    bad(
      { ...SMOLLM2, rope_scaling: { rope_type: 'llama3', factor: 8 } },
      /field "rope_scaling" is set, but RoPE scaling .* is not supported yet/,
    ));
  it('llama: rejects scaled rope_parameters', () =>
    bad(
      { ...SMOLLM2, rope_parameters: { rope_type: 'yarn' } },
      /field "rope_parameters.rope_type" "yarn" .* not a supported RoPE type/,
    ));
  it('llama: rejects another hidden_act', () =>
    bad(
      { ...SMOLLM2, hidden_act: 'gelu' },
      /field "hidden_act" "gelu" .* not a supported activation \(supported: silu\)/,
    ));
  it('llama: rejects a non-boolean tie_word_embeddings', () =>
    bad({ ...SMOLLM2, tie_word_embeddings: 'yes' }, /field "tie_word_embeddings" must be true or false/));
  it('llama: rejects a negative rope_theta', () =>
    bad({ ...SMOLLM2, rope_theta: -1 }, /field "rope_theta" must be a positive number, got -1/));

  it('mdlm: rejects hidden_dim not divisible by n_heads', () =>
    bad({ ...MDLM, n_heads: 10 }, /field "hidden_dim" \(768\) must be divisible by "n_heads" \(10\)/));
  it('mdlm: rejects a non-boolean time_conditioning', () =>
    bad({ ...MDLM, time_conditioning: 0 }, /field "time_conditioning" must be true or false, got 0/));
  it('mdlm: rejects a mask token outside the vocabulary', () =>
    bad(
      { ...MDLM, stepwise: { mask_token_id: 50258 } },
      /field "stepwise.mask_token_id" must be an integer in \[0, 50257\], got 50258/,
    ));
  it('mdlm: rejects a negative mask token', () =>
    bad(
      { ...MDLM, stepwise: { mask_token_id: -1 } },
      /field "stepwise.mask_token_id" must be an integer in \[0, 50257\], got -1/,
    ));
  it('mdlm: rejects a string mask token', () =>
    bad(
      { ...MDLM, stepwise: { mask_token_id: '50257' } },
      /field "stepwise.mask_token_id" must be an integer .* got "50257" \(a string\)/,
    ));

  it('rejects a stepwise section that is not an object', () =>
    bad({ ...GPT2, stepwise: 'yes' }, /field "stepwise" must be an object/));
  it('rejects a non-string stepwise.task', () =>
    bad({ ...GPT2, stepwise: { task: 3 } }, /field "stepwise.task" must be a string, got 3/));
  it('rejects stepwise.class_names that are not strings', () =>
    bad(
      { ...GPT2, stepwise: { class_names: ['cat', 2] } },
      /field "stepwise.class_names" must be an array of strings, but item 1 is 2/,
    ));
  it('rejects a non-string stepwise.tokenizer_model', () =>
    bad(
      { ...GPT2, stepwise: { tokenizer_model: {} } },
      /field "stepwise.tokenizer_model" must be a string, got an object/,
    ));
});

describe('config.json: properties', () => {
  const check = (input: string | Uint8Array): void => {
    try {
      const c = parseModelConfig(input);
      // Whatever is accepted is consistent.
      if (c.modelType === 'gpt2') expect(c.nHead * c.headDim).toBe(c.nEmbd);
      if (c.modelType === 'llama') expect(c.numAttentionHeads % c.numKeyValueHeads).toBe(0);
      if (c.modelType === 'mdlm') expect(c.maskTokenId >= 0 && c.maskTokenId < c.vocabSize).toBe(true);
    } catch (e) {
      if (!isFileError(e)) throw e;
    }
  };
  const settings = { numRuns: 2500, seed: 5 };

  it('random bytes give only typed errors', () =>
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), settings));

  it('byte mutations of real configs give only typed errors', () =>
    fc.assert(
      fc.property(fc.constantFrom(GPT2, SMOLLM2, MDLM), byteMutations, (base, m) =>
        check(mutateBytes(jsonBytes(base), m)),
      ),
      settings,
    ));

  it('JSON mutations of real configs give only typed errors', () =>
    fc.assert(
      fc.property(fc.constantFrom(GPT2, SMOLLM2, MDLM), jsonMutations, (base, m) =>
        check(jsonBytes(mutateJson(base, m))),
      ),
      settings,
    ));

  it('random values in every field give only typed errors', () =>
    fc.assert(
      fc.property(
        fc.constantFrom(GPT2, SMOLLM2, MDLM),
        fc.dictionary(
          fc.constantFrom(...Object.keys({ ...GPT2, ...SMOLLM2, ...MDLM }), 'stepwise', 'head_dim', 'n_inner'),
          nastyJson,
        ),
        (base, patch) => check(JSON.stringify({ ...base, ...patch, model_type: base.model_type })),
      ),
      settings,
    ));
});
