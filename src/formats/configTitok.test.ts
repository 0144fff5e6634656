// TiTok's published config.json (the nested training config, no model_type): recognised, read per
// role, interpolations resolved, unsupported variants refused with the file and the field named.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE, parseModelConfig, type ModelConfig } from './config.ts';
import { readTitokGenerator, readTitokTokenizer, resolveInterpolations } from './configTitok.ts';
import { jsonBytes, jsonMutations, mutateJson, nastyJson } from './fuzz.ts';
import { expectFileError, isFileError } from './testing.ts';

// configs/infer/TiTok/titok_l32.yaml of bytedance/1d-tokenizer as TiTok._save_pretrained writes it
// (OmegaConf.to_container without resolving, so image_seq_len keeps its interpolation).
const L32 = {
  experiment: {
    tokenizer_checkpoint: 'tokenizer_titok_l32.bin',
    generator_checkpoint: 'generator_titok_l32.bin',
    output_dir: 'titok_l_32',
  },
  model: {
    vq_model: {
      codebook_size: 4096,
      token_size: 12,
      use_l2_norm: true,
      commitment_cost: 0.25,
      vit_enc_model_size: 'large',
      vit_dec_model_size: 'large',
      vit_enc_patch_size: 16,
      vit_dec_patch_size: 16,
      num_latent_tokens: 32,
      finetune_decoder: true,
    },
    generator: {
      model_type: 'ViT',
      hidden_size: 768,
      num_hidden_layers: 24,
      num_attention_heads: 16,
      intermediate_size: 3072,
      dropout: 0.1,
      attn_drop: 0.1,
      num_steps: 8,
      class_label_dropout: 0.1,
      image_seq_len: '${model.vq_model.num_latent_tokens}',
      condition_num_classes: 1000,
      randomize_temperature: 9.5,
      guidance_scale: 4.5,
      guidance_decay: 'linear',
    },
  },
  dataset: { preprocessing: { crop_size: 256 } },
};

// titok_ll32_vae_c16.yaml (VAE: continuous tokens) and titok_bl64_vq8k.yaml (non-legacy decoder).
const LL32_VAE = {
  model: {
    vq_model: {
      quantize_mode: 'vae',
      token_size: 16,
      vit_enc_model_size: 'large',
      vit_dec_model_size: 'large',
      vit_enc_patch_size: 16,
      vit_dec_patch_size: 16,
      num_latent_tokens: 32,
      finetune_decoder: false,
      is_legacy: false,
    },
  },
  dataset: { preprocessing: { crop_size: 256 } },
};
const BL64_VQ8K = {
  model: {
    vq_model: {
      codebook_size: 8192,
      token_size: 64,
      use_l2_norm: false,
      commitment_cost: 0.25,
      vit_enc_model_size: 'base',
      vit_dec_model_size: 'large',
      vit_enc_patch_size: 16,
      vit_dec_patch_size: 16,
      num_latent_tokens: 64,
      finetune_decoder: false,
      is_legacy: false,
    },
  },
  dataset: { preprocessing: { crop_size: 256 } },
};

const FIXTURES = new URL('../models/fixtures/', import.meta.url).pathname;
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${FIXTURES}${name}/config.json`, 'utf8')) as Record<string, unknown>;

const titok = (v: unknown): Extract<ModelConfig, { modelType: 'titok' }> => {
  const c = parseModelConfig(JSON.stringify(v));
  if (c.modelType !== 'titok') throw new Error(`parsed as ${c.modelType}`);
  return c;
};
const bad = (run: () => unknown, problem: RegExp) => expectFileError(run, 'bad-file', CONFIG_FILE, problem);

/** A deep copy of `base` with `value` at the dotted `path` (undefined deletes it). */
function edit(base: object, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(base) as Record<string, unknown>;
  const keys = path.split('.');
  let at = copy;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  if (value === undefined) delete at[keys[keys.length - 1]];
  else at[keys[keys.length - 1]] = value;
  return copy;
}

describe('TiTok config: the published layout', () => {
  it('is recognised without a model_type, tokenizer and generator alike', () => {
    const c = titok(L32);
    expect(c).toMatchObject({ modelType: 'titok', codebookSize: 4096, numLatentTokens: 32 });
    expect(c.raw).toEqual(L32); // the file as read
  });

  it('reads TiTok-L-32 as a tokenizer: ViT-L encoder and decoder, 16-px patches, the fixed pixel decoder', () => {
    const t = readTitokTokenizer(titok(L32), CONFIG_FILE);
    expect(t).toEqual({
      imageSize: 256,
      codebookSize: 4096,
      tokenSize: 12,
      useL2Norm: true,
      numLatentTokens: 32,
      encoder: { sizeName: 'large', patchSize: 16, width: 1024, numLayers: 24, numHeads: 16 },
      decoder: { sizeName: 'large', patchSize: 16, width: 1024, numLayers: 24, numHeads: 16 },
      pixelDecoder: {
        channelMult: [1, 1, 2, 2, 4],
        hiddenChannels: 128,
        numResBlocks: 2,
        zChannels: 256,
        numEmbeddings: 1024,
        groups: 32,
        eps: 1e-6,
      },
    });
  });

  it('reads TiTok-L-32 as a generator, resolving image_seq_len and keeping the published sampling settings', () => {
    const g = readTitokGenerator(titok(L32), CONFIG_FILE);
    expect(g).toEqual({
      codebookSize: 4096,
      conditionNumClasses: 1000,
      imageSeqLen: 32,
      hiddenSize: 768,
      numHiddenLayers: 24,
      numAttentionHeads: 16,
      intermediateSize: 3072,
      headDim: 48,
      layerNormEps: 1e-12,
      sampling: { numSteps: 8, randomizeTemperature: 9.5, guidanceScale: 4.5, guidanceDecay: 'linear' },
    });
  });

  it("uses generate()'s defaults for sampling settings the file leaves out", () => {
    let cfg = L32 as object;
    for (const k of ['num_steps', 'randomize_temperature', 'guidance_scale', 'guidance_decay'])
      cfg = edit(cfg, `model.generator.${k}`, undefined);
    expect(readTitokGenerator(titok(cfg), CONFIG_FILE).sampling).toEqual({
      numSteps: 8,
      randomizeTemperature: 4.5,
      guidanceScale: 3,
      guidanceDecay: 'constant',
    });
  });

  it('reads the tiny fixtures, their ViT and pixel-decoder sizes given under "stepwise"', () => {
    const t = readTitokTokenizer(titok(fixture('tiny-titok')), CONFIG_FILE);
    expect(t.encoder).toEqual({ sizeName: 'tiny', patchSize: 8, width: 32, numLayers: 2, numHeads: 4 });
    expect(t.decoder).toEqual({ sizeName: 'tiny-wide', patchSize: 8, width: 48, numLayers: 2, numHeads: 3 });
    expect(t.pixelDecoder).toMatchObject({
      channelMult: [1, 1, 2, 2],
      hiddenChannels: 32,
      zChannels: 16,
      numEmbeddings: 32,
    });
    const g = readTitokGenerator(titok(fixture('tiny-titok-generator')), CONFIG_FILE);
    expect(g).toMatchObject({ imageSeqLen: 32, codebookSize: 64, conditionNumClasses: 10, intermediateSize: 80 });
    expect(g.classNames).toHaveLength(10);
  });
});

describe('TiTok config: refused variants and bad fields', () => {
  it('refuses VAE TiTok when config.json is parsed, naming the field', () =>
    bad(() => titok(LL32_VAE), /field "model.vq_model.quantize_mode" is "vae" .*only VQ TiTok .* not the VAE variant/));

  it('refuses the non-legacy decoder and stage-1 tokenizers as tokenizers', async () => {
    await bad(
      () => readTitokTokenizer(titok(BL64_VQ8K), CONFIG_FILE),
      /field "model.vq_model.is_legacy" is false: the non-legacy/,
    );
    await bad(
      () => readTitokTokenizer(titok(edit(L32, 'model.vq_model.finetune_decoder', false)), CONFIG_FILE),
      /field "model.vq_model.finetune_decoder" is false: a stage-1 TiTok/,
    );
  });

  it('refuses UViT generators (TiTok-S-128) as generators, but still reads their tokenizer', async () => {
    const s128 = titok(edit(L32, 'model.generator.model_type', 'UViT'));
    await bad(
      () => readTitokGenerator(s128, CONFIG_FILE),
      /field "model.generator.model_type" is "UViT" .*not supported yet/,
    );
    expect(readTitokTokenizer(s128, CONFIG_FILE).codebookSize).toBe(4096);
    await bad(
      () => readTitokGenerator(titok(edit(L32, 'model.generator', undefined)), CONFIG_FILE),
      /field "model" has no "generator" section/,
    );
  });

  it('names the nested field that is missing or wrong', async () => {
    await bad(
      () => titok(edit(L32, 'model.vq_model.codebook_size', undefined)),
      /field "model.vq_model.codebook_size" is required/,
    );
    await bad(
      () => titok(edit(L32, 'model.vq_model.num_latent_tokens', '32')),
      /"model.vq_model.num_latent_tokens" must be a positive integer, got "32"/,
    );
    const tok = (path: string, value: unknown) => () => readTitokTokenizer(titok(edit(L32, path, value)), CONFIG_FILE);
    await bad(tok('dataset.preprocessing.crop_size', undefined), /field "dataset.preprocessing.crop_size" is required/);
    await bad(tok('dataset', undefined), /field "dataset" has no "preprocessing" section/);
    await bad(
      tok('model.vq_model.vit_enc_model_size', 'huge'),
      /"model.vq_model.vit_enc_model_size" is "huge" .*not a ViT size/,
    );
    await bad(
      tok('model.vq_model.vit_enc_patch_size', 24),
      /"model.vq_model.vit_enc_patch_size" \(24\) must divide the crop_size \(256\)/,
    );
    await bad(
      tok('model.vq_model.vit_dec_patch_size', 8),
      /"model.vq_model.vit_dec_patch_size" \(8\) gives a 32×32 grid, .* 512×512 pixels, not the crop_size 256/,
    );
    await bad(tok('model.vq_model.use_l2_norm', 'yes'), /"model.vq_model.use_l2_norm" must be true or false/);
    await bad(
      tok('stepwise', { pixel_decoder: { hidden_channels: 40 } }),
      /"stepwise.pixel_decoder.channel_mult" level 0 has 40 channels, which the 32 GroupNorm groups do not divide/,
    );
    await bad(
      tok('stepwise', { vit_model_sizes: { large: { width: 30, num_layers: 1, num_heads: 4 } } }),
      /"stepwise.vit_model_sizes.large.width" \(30\) must be divisible by "stepwise.vit_model_sizes.large.num_heads" \(4\)/,
    );
    const gen = (path: string, value: unknown) => () => readTitokGenerator(titok(edit(L32, path, value)), CONFIG_FILE);
    await bad(
      gen('model.generator.hidden_size', 770),
      /"model.generator.hidden_size" \(770\) must be divisible by "model.generator.num_attention_heads" \(16\)/,
    );
    await bad(
      gen('model.generator.guidance_decay', 'cosine'),
      /"model.generator.guidance_decay" "cosine" \(a string\) is not a supported guidance schedule \(supported: constant, linear, power-cosine\)/,
    );
    await bad(
      gen('model.generator.guidance_scale', -1),
      /"model.generator.guidance_scale" must be a number ≥ 0, got -1/,
    );
    await bad(
      gen('stepwise', { class_names: ['a', 'b'] }),
      /class_names lists 2 names but condition_num_classes is 1000/,
    );
  });

  it('names an interpolation that leads nowhere or in a circle', async () => {
    await bad(
      () => titok(edit(L32, 'model.generator.image_seq_len', '${model.vq_model.num_tokens}')),
      /field "model.generator.image_seq_len" refers to \$\{model.vq_model.num_tokens\}, which the file does not have/,
    );
    const cyclic = edit(
      edit(L32, 'model.generator.image_seq_len', '${model.generator.dropout}'),
      'model.generator.dropout',
      '${model.generator.image_seq_len}',
    );
    await bad(() => titok(cyclic), /field "model.generator.dropout" is part of a cycle of interpolations/);
  });

  it('resolves only whole-string interpolations, and leaves the input untouched', () => {
    const input = { a: { b: 3 }, c: '${a.b}', d: 'x ${a.b}', e: ['${a}'] };
    expect(resolveInterpolations(CONFIG_FILE, input)).toEqual({ a: { b: 3 }, c: 3, d: 'x ${a.b}', e: [{ b: 3 }] });
    expect(input.c).toBe('${a.b}');
  });
});

describe('TiTok config: properties', () => {
  const check = (input: Uint8Array): void => {
    try {
      const c = parseModelConfig(input);
      if (c.modelType !== 'titok') return;
      // Whatever the role readers accept is consistent.
      try {
        const t = readTitokTokenizer(c, CONFIG_FILE);
        expect(t.imageSize % t.encoder.patchSize).toBe(0);
        expect(t.encoder.width % t.encoder.numHeads).toBe(0);
        expect((t.imageSize / t.decoder.patchSize) * 2 ** (t.pixelDecoder.channelMult.length - 1)).toBe(t.imageSize);
      } catch (e) {
        if (!isFileError(e)) throw e;
      }
      try {
        const g = readTitokGenerator(c, CONFIG_FILE);
        expect(g.headDim * g.numAttentionHeads).toBe(g.hiddenSize);
      } catch (e) {
        if (!isFileError(e)) throw e;
      }
    } catch (e) {
      if (!isFileError(e)) throw e;
    }
  };
  const settings = { numRuns: 1500, seed: 16 };

  it('JSON mutations of TiTok configs give only typed errors', () =>
    fc.assert(
      fc.property(fc.constantFrom(L32, BL64_VQ8K, fixture('tiny-titok')), jsonMutations, (base, m) =>
        check(jsonBytes(mutateJson(base, m))),
      ),
      settings,
    ));

  it('random values in the vq_model and generator fields give only typed errors', () =>
    fc.assert(
      fc.property(
        fc.constantFrom('vq_model', 'generator'),
        fc.dictionary(
          fc.constantFrom(...Object.keys({ ...L32.model.vq_model, ...L32.model.generator }), 'is_legacy'),
          nastyJson,
        ),
        (section, patch) => {
          const base = structuredClone(L32) as { model: Record<string, Record<string, unknown>> };
          base.model[section] = { ...base.model[section], ...patch };
          check(jsonBytes(base));
        },
      ),
      settings,
    ));
});
