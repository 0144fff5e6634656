// model_type → architecture. Each entry builds the model from a loaded folder (config + checkpoint).

import type { Gpu } from '../gpu/gpu.ts';
import type { LoadedModel } from '../formats/modelFolder.ts';
import { StepwiseError } from '../shared/errors.ts';
import type { CausalLm } from './causalLm.ts';
import { Gpt2 } from './gpt2.ts';
import { Llama } from './llama.ts';
import { ArImage } from './arImage.ts';
import { Maskgit } from './maskgit.ts';
import { Mdlm } from './mdlm.ts';
import { RvqDecoder } from './rvqDecoder.ts';
import { ImageBert } from './imageBert.ts';
import { titokRole } from './titokRole.ts';
import { TitokTokenizer } from './titokTokenizer.ts';

/** Builds an autoregressive LM; a folder of another kind is a bad-input error naming its type. */
export async function loadCausalLm(gpu: Gpu, model: LoadedModel): Promise<CausalLm> {
  const c = model.config;
  switch (c.modelType) {
    case 'gpt2':
      return Gpt2.load(gpu, c, model.checkpoint);
    case 'llama':
      return Llama.load(gpu, c, model.checkpoint);
    default:
      throw new StepwiseError(
        'bad-input',
        `${model.folder} is a "${c.modelType}" model, not an autoregressive language model`,
        'pick a gpt2 or llama model for autoregressive generation',
      );
  }
}

export type AnyModel =
  | { kind: 'causal'; lm: CausalLm }
  | { kind: 'diffusion'; lm: Mdlm }
  | { kind: 'image-maskgit'; lm: Maskgit }
  | { kind: 'image-ar'; lm: ArImage }
  | { kind: 'image-tokenizer'; lm: RvqDecoder }
  | { kind: 'titok-tokenizer'; lm: TitokTokenizer }
  | { kind: 'titok-generator'; lm: ImageBert };

/** Builds whichever architecture the folder's model_type names. */
export async function loadModel(gpu: Gpu, model: LoadedModel): Promise<AnyModel> {
  if (model.config.modelType === 'mdlm')
    return { kind: 'diffusion', lm: await Mdlm.load(gpu, model.config, model.checkpoint) };
  if (model.config.modelType === 'stepwise-maskgit')
    return { kind: 'image-maskgit', lm: await Maskgit.load(gpu, model.config, model.checkpoint) };
  if (model.config.modelType === 'stepwise-ar')
    return { kind: 'image-ar', lm: await ArImage.load(gpu, model.config, model.checkpoint) };
  if (model.config.modelType === 'stepwise-rvq')
    return { kind: 'image-tokenizer', lm: await RvqDecoder.load(gpu, model) };
  // A TiTok folder is a tokenizer or a generator; its tensor names tell which.
  if (model.config.modelType === 'titok') {
    return titokRole(model) === 'tokenizer'
      ? { kind: 'titok-tokenizer', lm: await TitokTokenizer.load(gpu, model) }
      : { kind: 'titok-generator', lm: await ImageBert.load(gpu, model) };
  }
  return { kind: 'causal', lm: await loadCausalLm(gpu, model) };
}
