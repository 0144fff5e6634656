// The optional "stepwise" object of config.json: settings that are Stepwise's own rather than the
// architecture's. Unknown keys are ignored so newer files still load in older builds.

import type { ConfigFields } from './configFields.ts';

export interface StepwiseSection {
  task?: string; // what the model does, e.g. "text-generation", "masked-diffusion", "class-to-image"
  maskTokenId?: number; // "mask_token_id": the [MASK] token for masked-diffusion models, in [0, vocab_size)
  classNames?: string[]; // "class_names": labels of a class-conditional model, index = class id
  tokenizerModel?: string; // "tokenizer_model": which image tokenizer model an image generator pairs with
}

/** Reads `stepwise` from a config (empty section when absent); mask_token_id is checked against vocabSize. */
export function readStepwiseSection(config: ConfigFields, vocabSize: number): StepwiseSection {
  const s = config.optObject('stepwise');
  if (!s) return {};
  const section: StepwiseSection = {};
  const task = s.optString('task');
  if (task !== undefined) section.task = task;
  const mask = s.optInt('mask_token_id', 0, vocabSize - 1);
  if (mask !== undefined) section.maskTokenId = mask;
  const classNames = s.optStringArray('class_names');
  if (classNames !== undefined) section.classNames = classNames;
  const tokenizerModel = s.optString('tokenizer_model');
  if (tokenizerModel !== undefined) section.tokenizerModel = tokenizerModel;
  return section;
}
