// config.json of a model folder: `model_type` picks the architecture from a registry of known types,
// each with a typed, normalised (camelCase) config and a validator that names the faulty field.
// Adding an architecture = one configX.ts file + one registry line.

import { badFile, describeValue } from './fileErrors.ts';
import { ConfigFields } from './configFields.ts';
import { validateGpt2, type Gpt2Config } from './configGpt2.ts';
import { validateLlama, type LlamaConfig } from './configLlama.ts';
import { validateMdlm, type MdlmConfig } from './configMdlm.ts';
import { validateArImage, validateMaskgit, type ArImageConfig, type MaskgitConfig } from './configImageTokens.ts';
import { validateRvq, type RvqConfig } from './configRvq.ts';
import { validateTitok, type TitokConfig } from './configTitok.ts';
import { isJsonObject, own, parseJsonObject } from './json.ts';

export type { Gpt2Config } from './configGpt2.ts';
export type { LlamaConfig } from './configLlama.ts';
export type { MdlmConfig } from './configMdlm.ts';
export type { ArImageConfig, MaskgitConfig } from './configImageTokens.ts';
export type { RvqConfig } from './configRvq.ts';
export type { TitokConfig, TitokGeneratorConfig, TitokTokenizerConfig } from './configTitok.ts';
export type { StepwiseSection } from './configStepwise.ts';

export const CONFIG_FILE = 'config.json';

/** A validated config: the architecture's normalised fields, and the file's JSON object as read. */
type ArchitectureConfig =
  Gpt2Config | LlamaConfig | MdlmConfig | MaskgitConfig | ArImageConfig | RvqConfig | TitokConfig;
export type ModelConfig = ArchitectureConfig & { raw: Record<string, unknown> };

export type ModelType = ModelConfig['modelType'];

const REGISTRY: Record<ModelType, (f: ConfigFields) => ArchitectureConfig> = {
  gpt2: validateGpt2,
  llama: validateLlama,
  mdlm: validateMdlm,
  'stepwise-maskgit': validateMaskgit,
  'stepwise-ar': validateArImage,
  'stepwise-rvq': validateRvq,
  titok: validateTitok,
};

/** The model types Stepwise can load, sorted. */
export function knownModelTypes(): ModelType[] {
  return (Object.keys(REGISTRY) as ModelType[]).sort();
}

/** Parses config.json bytes or text and validates it. Throws bad-file naming `file` and the field. */
export function parseModelConfig(input: string | Uint8Array, file = CONFIG_FILE): ModelConfig {
  return validateModelConfig(parseJsonObject(input, file), file);
}

/** The model type of a published config that has no model_type field: TiTok's nested training
 *  config (tokenizer and generator alike) is recognised by its model.vq_model section. */
function publishedWithoutType(raw: Record<string, unknown>): string | undefined {
  const model = own(raw, 'model');
  return isJsonObject(model) && isJsonObject(own(model, 'vq_model')) ? 'titok' : undefined;
}

/** Validates an already-parsed config object. */
export function validateModelConfig(raw: unknown, file = CONFIG_FILE): ModelConfig {
  if (!isJsonObject(raw)) throw badFile(file, `must be a JSON object, got ${describeValue(raw)}`);
  const known = knownModelTypes().join(', ');
  const type = own(raw, 'model_type') ?? publishedWithoutType(raw);
  if (type === undefined || type === null) {
    throw badFile(
      file,
      `required field "model_type" is missing (known model types: ${known}; TiTok's configs have none and are recognised by their model.vq_model section)`,
    );
  }
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(REGISTRY, type)) {
    throw badFile(
      file,
      `unknown model_type ${describeValue(type)} (known model types: ${known})`,
      'Stepwise cannot run this architecture yet',
    );
  }
  const config = REGISTRY[type as ModelType](new ConfigFields(file, raw));
  return { ...config, raw };
}
