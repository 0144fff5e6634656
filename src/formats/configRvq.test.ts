// config.json of the RVQ image tokenizer (model_type "stepwise-rvq"): the shape train/emoji_rvq.py
// writes parses to a typed config; every inconsistent field is a bad-file error naming it.
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE, parseModelConfig, type ModelConfig } from './config.ts';
import { expectFileError } from './testing.ts';

// What train/emoji_rvq.py's hf_config() writes.
const RVQ = {
  architectures: ['StepwiseRvqTokenizer'],
  model_type: 'stepwise-rvq',
  image_size: 32,
  latent_size: 8,
  codebook_size: 256,
  num_quantizers: 4,
  codebook_dim: 32,
  decoder_channels: [128, 64, 32],
  norm_groups: 8,
  norm_eps: 1e-6,
  torch_dtype: 'float16',
  stepwise: { task: 'image-tokenizer' },
};

const parse = (v: unknown): ModelConfig => parseModelConfig(JSON.stringify(v));
const bad = (v: unknown, problem: RegExp) => expectFileError(() => parse(v), 'bad-file', CONFIG_FILE, problem);
const without = (key: string) => Object.fromEntries(Object.entries(RVQ).filter(([k]) => k !== key));

describe('stepwise-rvq config', () => {
  it('parses the training script’s config', () => {
    const c = parse(RVQ);
    if (c.modelType !== 'stepwise-rvq') throw new Error(c.modelType);
    expect(c).toMatchObject({
      imageSize: 32,
      latentSize: 8,
      codebookSize: 256,
      numQuantizers: 4,
      codebookDim: 32,
      decoderChannels: [128, 64, 32],
      normGroups: 8,
      normEps: 1e-6,
      stepwise: { task: 'image-tokenizer' },
    });
  });

  it('defaults norm_eps to PyTorch’s 1e-5 and accepts mask_token_id = codebook_size', () => {
    const c = parse({ ...without('norm_eps'), stepwise: { mask_token_id: 256 } });
    expect(c.modelType === 'stepwise-rvq' && c.normEps).toBe(1e-5);
  });

  for (const field of ['image_size', 'latent_size', 'codebook_size', 'num_quantizers', 'codebook_dim', 'norm_groups']) {
    it(`rejects a missing "${field}"`, () =>
      bad(without(field), new RegExp(`field "${field}" is required but missing`)));
  }

  it('rejects decoder_channels that are not a non-empty list of positive integers', async () => {
    await bad(without('decoder_channels'), /field "decoder_channels" must be a non-empty array .* got nothing/);
    await bad({ ...RVQ, decoder_channels: 128 }, /field "decoder_channels" must be a non-empty array .* got 128/);
    await bad({ ...RVQ, decoder_channels: [] }, /"decoder_channels" must be a non-empty array .* got an array of 0/);
    await bad({ ...RVQ, decoder_channels: [128, '64', 32] }, /but item 1 is "64" \(a string\)/);
    await bad({ ...RVQ, decoder_channels: [128, 0, 32] }, /but item 1 is 0/);
  });

  it('rejects channels that norm_groups does not divide', () =>
    bad(
      { ...RVQ, decoder_channels: [128, 60, 32] },
      /"decoder_channels" item 1 \(60\) must be divisible by "norm_groups" \(8\)/,
    ));

  it('rejects an image_size the decoder levels do not reach', async () => {
    await bad(
      { ...RVQ, image_size: 64 },
      /field "image_size" \(64\) must be latent_size · 2\^\(levels − 1\) = 32 for 3 decoder levels/,
    );
    await bad({ ...RVQ, decoder_channels: [64, 32] }, /= 16 for 2 decoder levels/);
  });

  it('rejects a mask_token_id other than codebook_size', () =>
    bad({ ...RVQ, stepwise: { mask_token_id: 3 } }, /mask_token_id must be codebook_size \(256\), got 3/));
});
