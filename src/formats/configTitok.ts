// TiTok (bytedance/1d-tokenizer, "An Image is Worth 32 Tokens"): the 1-D image tokenizer and its
// MaskGIT generator (ImageBert). Their published config.json files have no model_type: TiTok and
// ImageBert save the whole nested training config ({experiment, model: {vq_model, generator},
// dataset: {preprocessing: {crop_size}}}), and a tokenizer's and a generator's may be identical, so
// which of the two a folder holds is told by its tensor names (models/titokRole.ts), and each role
// reads its own fields here: readTitokTokenizer and readTitokGenerator.
// OmegaConf may save an interpolation unresolved ("image_seq_len": "${model.vq_model.num_latent_tokens}");
// a string that is one whole "${a.b.c}" is resolved against the file as OmegaConf would.
// Sizes the published code fixes (ViT widths per model size; the MaskGIT-VQGAN pixel decoder) can be
// given under "stepwise" (vit_model_sizes, pixel_decoder), which tiny test models need.

import { ConfigFields, MAX_DIM } from './configFields.ts';
import { readStepwiseSection, type StepwiseSection } from './configStepwise.ts';
import { badFile, describeValue } from './fileErrors.ts';
import { isJsonObject, own } from './json.ts';

/** What every TiTok folder has, checked when config.json is parsed. */
export interface TitokConfig {
  modelType: 'titok';
  codebookSize: number; // "model.vq_model.codebook_size": token ids 0 … K−1
  numLatentTokens: number; // "model.vq_model.num_latent_tokens": tokens per image (32 for TiTok-L-32)
  resolved: Record<string, unknown>; // the file's JSON with ${…} interpolations resolved, for the role readers
  stepwise: StepwiseSection;
}

/** One ViT of the tokenizer (encoder or decoder). */
export interface TitokVit {
  sizeName: string; // "vit_enc_model_size" / "vit_dec_model_size": small, base, large or a stepwise size
  patchSize: number; // "vit_enc_patch_size" / "vit_dec_patch_size"
  width: number; // channels
  numLayers: number; // residual attention blocks
  numHeads: number; // attention heads; width % heads == 0
}

/** The MaskGIT-VQGAN decoder TiTok's legacy decoder feeds (fixed in the published code). */
export interface PixelDecoderConfig {
  channelMult: number[]; // "channel_mult": channels per level ÷ hidden_channels, finest first
  hiddenChannels: number; // "hidden_channels"
  numResBlocks: number; // "num_res_blocks": residual blocks per level (and in the middle)
  zChannels: number; // "z_channels": width of the pixel codebook's vectors
  numEmbeddings: number; // "num_embeddings": pixel codebook entries, the decoder's logits per position
  groups: number; // GroupNorm groups (32 in the code; every level's channels divide by it)
  eps: number; // GroupNorm epsilon (1e-6 in the code)
}

export interface TitokTokenizerConfig {
  imageSize: number; // "dataset.preprocessing.crop_size": the square images it encodes and decodes
  codebookSize: number; // "model.vq_model.codebook_size"
  tokenSize: number; // "model.vq_model.token_size": width of a codebook vector
  useL2Norm: boolean; // "model.vq_model.use_l2_norm": latents and codebook compared l2-normalised
  numLatentTokens: number; // "model.vq_model.num_latent_tokens"
  encoder: TitokVit;
  decoder: TitokVit;
  pixelDecoder: PixelDecoderConfig;
}

export type GuidanceDecay = 'constant' | 'linear' | 'power-cosine';
export const GUIDANCE_DECAYS: readonly GuidanceDecay[] = ['constant', 'linear', 'power-cosine'];

/** ImageBert: a BERT over [class token, image tokens]. */
export interface TitokGeneratorConfig {
  codebookSize: number; // "model.vq_model.codebook_size": K; id K is the mask token
  conditionNumClasses: number; // "model.generator.condition_num_classes"; class token = K + 1 + class
  imageSeqLen: number; // "model.generator.image_seq_len": image tokens per sequence
  hiddenSize: number; // "model.generator.hidden_size"
  numHiddenLayers: number; // "model.generator.num_hidden_layers"
  numAttentionHeads: number; // "model.generator.num_attention_heads"
  intermediateSize: number; // "model.generator.intermediate_size"
  headDim: number; // hidden_size / num_attention_heads (derived)
  layerNormEps: number; // 1e-12, fixed in ImageBert
  sampling: TitokSamplingDefaults;
  classNames?: string[]; // "stepwise.class_names", when given
}

/** The published sampling settings (titok_l32.yaml); generate()'s own defaults where absent. */
export interface TitokSamplingDefaults {
  numSteps: number; // "num_steps" (8)
  randomizeTemperature: number; // "randomize_temperature" (4.5): Gumbel noise, annealed to 0
  guidanceScale: number; // "guidance_scale" (3.0)
  guidanceDecay: GuidanceDecay; // "guidance_decay" ("constant")
}

const VIT_SIZES: Record<string, { width: number; numLayers: number; numHeads: number }> = {
  small: { width: 512, numLayers: 8, numHeads: 8 },
  base: { width: 768, numLayers: 12, numHeads: 12 },
  large: { width: 1024, numLayers: 24, numHeads: 16 },
};

const PIXEL_DECODER = {
  channelMult: [1, 1, 2, 2, 4],
  hiddenChannels: 128,
  numResBlocks: 2,
  zChannels: 256,
  numEmbeddings: 1024,
};

/** The registry's validator: the fields both roles need, and the variants Stepwise refuses. */
export function validateTitok(f: ConfigFields): TitokConfig {
  const resolved = resolveInterpolations(f.file, f.obj);
  const root = new ConfigFields(f.file, resolved);
  const vq = vqModel(root);
  const mode = vq.get('quantize_mode');
  if (mode !== undefined && mode !== null && mode !== 'vq') {
    vq.fail(
      'quantize_mode',
      `is ${describeValue(mode)}: only VQ TiTok (discrete tokens) is supported, not the VAE variant (continuous tokens)`,
      'pick a VQ tokenizer such as yucornetto/tokenizer_titok_l32_imagenet',
    );
  }
  const codebookSize = vq.positiveInt('codebook_size');
  return {
    modelType: 'titok',
    codebookSize,
    numLatentTokens: vq.positiveInt('num_latent_tokens'),
    resolved,
    stepwise: readStepwiseSection(root, codebookSize + 1),
  };
}

/** The tokenizer's fields; bad-file naming `file` and the field. */
export function readTitokTokenizer(config: TitokConfig, file: string): TitokTokenizerConfig {
  const root = new ConfigFields(file, config.resolved);
  const vq = vqModel(root);
  if (!vq.optBool('is_legacy', true)) {
    vq.fail(
      'is_legacy',
      'is false: the non-legacy TiTok decoder (pixels predicted directly, as in the VQ-8k BL / SL tokenizers) is not supported yet',
      'pick a legacy TiTok tokenizer (TiTok-L-32, B-64 or S-128)',
    );
  }
  if (!vq.optBool('finetune_decoder', true)) {
    vq.fail(
      'finetune_decoder',
      'is false: a stage-1 TiTok decodes to MaskGIT-VQGAN codes, not pixels, and has no pixel decoder',
      'pick a published (stage-2) TiTok tokenizer',
    );
  }
  const imageSize = cropSize(root);
  const stepwise = root.optObject('stepwise');
  const encoder = vit(vq, stepwise, 'enc', imageSize);
  const decoder = vit(vq, stepwise, 'dec', imageSize);
  const pixelDecoder = readPixelDecoder(stepwise);
  const grid = imageSize / decoder.patchSize;
  const upsampled = grid * 2 ** (pixelDecoder.channelMult.length - 1);
  if (upsampled !== imageSize) {
    vq.fail(
      'vit_dec_patch_size',
      `(${decoder.patchSize}) gives a ${grid}×${grid} grid, which the ${pixelDecoder.channelMult.length}-level pixel decoder upsamples to ${upsampled}×${upsampled} pixels, not the crop_size ${imageSize}`,
    );
  }
  return {
    imageSize,
    codebookSize: config.codebookSize,
    tokenSize: vq.positiveInt('token_size'),
    useL2Norm: vq.optBool('use_l2_norm', false),
    numLatentTokens: config.numLatentTokens,
    encoder,
    decoder,
    pixelDecoder,
  };
}

/** The generator's fields; bad-file naming `file` and the field. */
export function readTitokGenerator(config: TitokConfig, file: string): TitokGeneratorConfig {
  const root = new ConfigFields(file, config.resolved);
  const model = root.optObject('model');
  const g = model?.optObject('generator');
  if (!model || !g) return root.fail('model', 'has no "generator" section, which an ImageBert generator needs');
  const kind = g.optString('model_type') ?? 'ViT';
  if (kind === 'UViT') {
    g.fail(
      'model_type',
      'is "UViT" (UViTBert, the TiTok-S-128 generator), which is not supported yet',
      'pick the TiTok-L-32 or B-64 generator',
    );
  }
  if (kind !== 'ViT') g.fail('model_type', `is ${describeValue(kind)}; the supported generator is "ViT" (ImageBert)`);
  const hiddenSize = g.positiveInt('hidden_size');
  const numAttentionHeads = g.positiveInt('num_attention_heads');
  g.divides(
    'hidden_size',
    hiddenSize,
    'num_attention_heads',
    numAttentionHeads,
    'the width must split evenly across the heads',
  );
  const conditionNumClasses = g.positiveInt('condition_num_classes');
  const stepwise = config.stepwise;
  if (stepwise.classNames && stepwise.classNames.length !== conditionNumClasses) {
    root.fail(
      'stepwise',
      `class_names lists ${stepwise.classNames.length} names but condition_num_classes is ${conditionNumClasses}`,
    );
  }
  const guidanceScale = g.has('guidance_scale') ? nonNegative(g, 'guidance_scale') : 3.0;
  const randomizeTemperature = g.has('randomize_temperature') ? nonNegative(g, 'randomize_temperature') : 4.5;
  return {
    codebookSize: config.codebookSize,
    conditionNumClasses,
    imageSeqLen: g.positiveInt('image_seq_len'),
    hiddenSize,
    numHiddenLayers: g.positiveInt('num_hidden_layers'),
    numAttentionHeads,
    intermediateSize: g.positiveInt('intermediate_size'),
    headDim: hiddenSize / numAttentionHeads,
    layerNormEps: 1e-12,
    sampling: {
      numSteps: g.optPositiveInt('num_steps', 8),
      randomizeTemperature,
      guidanceScale,
      guidanceDecay: g.oneOf('guidance_decay', GUIDANCE_DECAYS, 'guidance schedule'),
    },
    ...(stepwise.classNames ? { classNames: stepwise.classNames } : {}),
  };
}

function vqModel(root: ConfigFields): ConfigFields {
  const model = root.optObject('model');
  const vq = model?.optObject('vq_model');
  if (!model || !vq)
    return root.fail('model', 'has no "vq_model" section (TiTok keeps its tokenizer settings in model.vq_model)');
  return vq;
}

function cropSize(root: ConfigFields): number {
  const pre = root.optObject('dataset')?.optObject('preprocessing');
  if (!pre) return root.fail('dataset', 'has no "preprocessing" section with the crop_size TiTok encodes and decodes');
  return pre.positiveInt('crop_size');
}

function vit(vq: ConfigFields, stepwise: ConfigFields | undefined, which: 'enc' | 'dec', imageSize: number): TitokVit {
  const sizeField = `vit_${which}_model_size`;
  const patchField = `vit_${which}_patch_size`;
  const sizeName = vq.optString(sizeField);
  if (sizeName === undefined) return vq.fail(sizeField, 'is required but missing');
  const patchSize = vq.positiveInt(patchField);
  if (imageSize % patchSize !== 0) vq.fail(patchField, `(${patchSize}) must divide the crop_size (${imageSize})`);
  const custom = stepwise?.optObject('vit_model_sizes')?.optObject(sizeName);
  if (custom) {
    const width = custom.positiveInt('width');
    const numHeads = custom.positiveInt('num_heads');
    custom.divides('width', width, 'num_heads', numHeads, 'the width must split evenly across the heads');
    return { sizeName, patchSize, width, numLayers: custom.positiveInt('num_layers'), numHeads };
  }
  const known = Object.prototype.hasOwnProperty.call(VIT_SIZES, sizeName) ? VIT_SIZES[sizeName] : undefined;
  if (!known) {
    return vq.fail(
      sizeField,
      `is ${describeValue(sizeName)}, not a ViT size TiTok knows (small, base, large) nor one given in "stepwise.vit_model_sizes"`,
    );
  }
  return { sizeName, patchSize, ...known };
}

function readPixelDecoder(stepwise: ConfigFields | undefined): PixelDecoderConfig {
  const f = stepwise?.optObject('pixel_decoder');
  const groups = 32;
  const channelMult = f?.has('channel_mult') ? positiveIntList(f, 'channel_mult') : PIXEL_DECODER.channelMult;
  const hiddenChannels = f?.optPositiveInt('hidden_channels') ?? PIXEL_DECODER.hiddenChannels;
  channelMult.forEach((m, i) => {
    if ((m * hiddenChannels) % groups !== 0) {
      f?.fail(
        'channel_mult',
        `level ${i} has ${m * hiddenChannels} channels, which the ${groups} GroupNorm groups do not divide`,
      );
    }
  });
  return {
    channelMult,
    hiddenChannels,
    numResBlocks: f?.optPositiveInt('num_res_blocks') ?? PIXEL_DECODER.numResBlocks,
    zChannels: f?.optPositiveInt('z_channels') ?? PIXEL_DECODER.zChannels,
    numEmbeddings: f?.optPositiveInt('num_embeddings') ?? PIXEL_DECODER.numEmbeddings,
    groups,
    eps: 1e-6,
  };
}

function nonNegative(f: ConfigFields, field: string): number {
  const v = f.get(field);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    f.fail(field, `must be a number ≥ 0, got ${describeValue(v)}`);
  return v;
}

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

const INTERPOLATION = /^\$\{([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\}$/;

/** A copy of `obj` with every string that is one whole "${a.b.c}" replaced by the value at that path
 *  (itself resolved). A path that leads nowhere, or back to itself, is a bad-file error naming both. */
export function resolveInterpolations(file: string, obj: Record<string, unknown>): Record<string, unknown> {
  const walk = (v: unknown, where: string, seen: string[]): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${where}[${i}]`, seen));
    if (isJsonObject(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) out[k] = walk(v[k], where ? `${where}.${k}` : k, seen);
      return out;
    }
    const m = typeof v === 'string' ? INTERPOLATION.exec(v) : null;
    if (!m) return v;
    const path = m[1];
    if (seen.includes(path))
      throw badFile(file, `field "${where}" is part of a cycle of interpolations (${[...seen, path].join(' → ')})`);
    let target: unknown = obj;
    for (const part of path.split('.')) target = isJsonObject(target) ? own(target, part) : undefined;
    if (target === undefined)
      throw badFile(file, `field "${where}" refers to \${${path}}, which the file does not have`);
    return walk(target, where, [...seen, path]);
  };
  return walk(obj, '', []) as Record<string, unknown>;
}
