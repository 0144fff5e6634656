// Which half of TiTok a folder holds, and whether a tokenizer and a generator belong together.
// A TiTok tokenizer's and generator's config.json can be the same file (both save the whole training
// config), so the role is told by the tensor names: the tokenizer has decoder.* and pixel_decoder.*
// (TiTok), the generator model.embeddings.* and model.lm_head.* (ImageBert, a BertModel in `model`).
// UViTBert (TiTok-S-128's generator) has embeddings.* and lm_head.* at the top: refused for now.

import type { LoadedModel } from '../formats/modelFolder.ts';
import { readTitokGenerator, readTitokTokenizer } from '../formats/configTitok.ts';
import { badFile } from '../formats/fileErrors.ts';
import { badInput } from '../shared/errors.ts';

export type TitokRole = 'tokenizer' | 'generator';

/** The role of a TiTok folder (model_type "titok"), from its tensor names; bad-file when neither. */
export function titokRole(model: LoadedModel): TitokRole {
  const ckpt = model.checkpoint;
  const where = ckpt.files.length === 1 ? `${model.folder}/${ckpt.files[0].name}` : model.folder;
  if (ckpt.has('model.lm_head.weight') || ckpt.has('model.embeddings.word_embeddings.weight')) return 'generator';
  if (ckpt.has('decoder.decoder_embed.weight') || ckpt.has('pixel_decoder.conv_in.weight')) return 'tokenizer';
  if (ckpt.has('lm_head.weight') && ckpt.has('embeddings.weight')) {
    throw badFile(
      where,
      'holds a UViT generator (UViTBert, TiTok-S-128), which is not supported yet',
      'pick the TiTok-L-32 or B-64 generator',
    );
  }
  throw badFile(
    where,
    "has neither a TiTok tokenizer's tensors (decoder.decoder_embed.weight) nor an ImageBert generator's (model.lm_head.weight)",
    'check that the weights belong to this config.json',
  );
}

/** Checks that `generator`'s tokens can be decoded by `tokenizer` (both TiTok folders, roles as
 *  named): the same codebook size and the same number of tokens per image. Needs the configs only,
 *  so it can run before either model is loaded. Throws bad-input naming both files and the field. */
export function checkTitokPair(tokenizer: LoadedModel, generator: LoadedModel): void {
  for (const [m, role] of [
    [tokenizer, 'tokenizer'],
    [generator, 'generator'],
  ] as const) {
    if (m.config.modelType !== 'titok')
      throw badInput(`${m.folder} is a "${m.config.modelType}" model, not a TiTok ${role}`);
    if (titokRole(m) !== role) throw badInput(`${m.folder} holds a TiTok ${titokRole(m)}, not the ${role}`);
  }
  if (tokenizer.config.modelType !== 'titok' || generator.config.modelType !== 'titok') return;
  const tokFile = `${tokenizer.folder}/config.json`;
  const genFile = `${generator.folder}/config.json`;
  const t = readTitokTokenizer(tokenizer.config, tokFile);
  const g = readTitokGenerator(generator.config, genFile);
  const hint =
    'pick the tokenizer this generator was trained with (e.g. tokenizer_titok_l32_imagenet for generator_titok_l32_imagenet)';
  if (g.codebookSize !== t.codebookSize) {
    throw badInput(
      `${genFile}: field "model.vq_model.codebook_size" is ${g.codebookSize}, but the tokenizer's codebook has ${t.codebookSize} entries (${tokFile}, the same field): the generator's vocabulary does not match`,
      hint,
    );
  }
  if (g.imageSeqLen !== t.numLatentTokens) {
    throw badInput(
      `${genFile}: field "model.generator.image_seq_len" is ${g.imageSeqLen}, but the tokenizer takes ${t.numLatentTokens} tokens per image (${tokFile}, "model.vq_model.num_latent_tokens")`,
      hint,
    );
  }
}
