// tokenizer.json (+ optional tokenizer_config.json) → a small typed text tokenizer. The tokenisation
// itself is @huggingface/tokenizers (the JS port of the Rust library); this file checks the shape of
// the files first, so a damaged one fails with a message naming it rather than a TypeError from deep
// inside the library, and wraps the library's own errors the same way.

import { Tokenizer } from '@huggingface/tokenizers';
import { badInput } from '../shared/errors.ts';
import { badFile, describeValue } from './fileErrors.ts';
import { isJsonObject, own, parseJsonObject } from './json.ts';
import { backtrackingHazard } from './regexHazard.ts';
import { quote } from './safetensorsHeader.ts';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

/** Token ids must fit an Int32Array and a u32 kernel parameter. */
const MAX_TOKEN_ID = 2 ** 31 - 2;

export interface SpecialIds {
  eos?: number; // end of text: tokenizer_config "eos_token", else <|endoftext|>, </s>, <|end_of_text|>, <eos>
  bos?: number; // start of text: tokenizer_config "bos_token", else <s>, <|begin_of_text|>
  pad?: number; // padding: tokenizer_config "pad_token", else <pad>, [PAD]
  mask?: number; // mask for masked models: tokenizer_config "mask_token", else [MASK], <mask>, <|mask|>
}

export interface EncodeOptions {
  addSpecialTokens?: boolean; // apply the post-processor's template (e.g. a BOS for Llama); default true
}

export interface TextTokenizer {
  encode(text: string, options?: EncodeOptions): number[];
  /** Ids → text; bad-input for an id outside [0, vocabSize). Special tokens are kept. */
  decode(ids: ArrayLike<number>): string;
  readonly vocabSize: number; // largest id + 1, added tokens included
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  readonly specialIds: SpecialIds;
}

export interface TokenizerFiles {
  tokenizer: string; // name of tokenizer.json for messages
  config: string; // name of tokenizer_config.json for messages
}

type JsonInput = string | Uint8Array | Record<string, unknown>;

/**
 * Builds a tokenizer from tokenizer.json and, optionally, tokenizer_config.json (bytes, text or parsed
 * objects). Throws bad-file naming the file at fault.
 */
export function loadTokenizer(
  tokenizerJson: JsonInput,
  tokenizerConfig?: JsonInput | null,
  files: TokenizerFiles = { tokenizer: TOKENIZER_FILE, config: TOKENIZER_CONFIG_FILE },
): TextTokenizer {
  const tj = asObject(tokenizerJson, files.tokenizer);
  const tc = tokenizerConfig == null ? {} : asObject(tokenizerConfig, files.config);
  const { normalized, maxId } = checkTokenizerJson(tj, files.tokenizer);
  checkTokenizerConfig(tc, files.config);
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(normalized, tc);
  } catch (e) {
    throw badFile(files.tokenizer, `the tokenizer could not be built: ${errorText(e)}`);
  }
  return new HfTextTokenizer(tok, maxId + 1, tc, files.tokenizer);
}

function asObject(input: JsonInput, file: string): Record<string, unknown> {
  if (typeof input === 'string' || input instanceof Uint8Array) return parseJsonObject(input, file);
  if (!isJsonObject(input)) throw badFile(file, `must be a JSON object, got ${describeValue(input)}`);
  return input;
}

class HfTextTokenizer implements TextTokenizer {
  readonly specialIds: SpecialIds;
  private readonly cleanUpSpaces: boolean;

  constructor(
    private readonly tok: Tokenizer,
    readonly vocabSize: number,
    config: Record<string, unknown>,
    private readonly file: string,
  ) {
    const find = (key: string, fallbacks: string[]): number | undefined => {
      for (const t of [tokenText(own(config, key)), ...fallbacks]) {
        const id = t === undefined ? undefined : this.tokenToId(t);
        if (id !== undefined) return id;
      }
      return undefined;
    };
    this.specialIds = {};
    const eos = find('eos_token', ['<|endoftext|>', '</s>', '<|end_of_text|>', '<eos>']);
    const bos = find('bos_token', ['<s>', '<|begin_of_text|>']);
    const pad = find('pad_token', ['<pad>', '[PAD]']);
    const mask = find('mask_token', ['[MASK]', '<mask>', '<|mask|>']);
    if (eos !== undefined) this.specialIds.eos = eos;
    if (bos !== undefined) this.specialIds.bos = bos;
    if (pad !== undefined) this.specialIds.pad = pad;
    if (mask !== undefined) this.specialIds.mask = mask;
    // The library cleans up " ." → "." by default, which breaks round trips; we follow the file, else off.
    const clean = own(config, 'clean_up_tokenization_spaces');
    this.cleanUpSpaces = clean === true;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    try {
      return this.tok.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids;
    } catch (e) {
      throw badFile(this.file, `the tokenizer failed to encode text: ${errorText(e)}`);
    }
  }

  decode(ids: ArrayLike<number>): string {
    const list = Array.from(ids);
    for (const id of list) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw badInput(`token id ${id} is outside the vocabulary [0, ${this.vocabSize}) of ${this.file}`);
      }
    }
    if (list.length === 0) return '';
    try {
      return this.tok.decode(list, { clean_up_tokenization_spaces: this.cleanUpSpaces });
    } catch (e) {
      throw badFile(this.file, `the tokenizer failed to decode ids: ${errorText(e)}`);
    }
  }

  tokenToId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 && id < this.vocabSize ? this.tok.id_to_token(id) : undefined;
  }
}

/**
 * Checks what the library relies on without checking: a "model" object with a vocabulary of its type,
 * "added_tokens" entries, and the pipeline stages being objects or null. Returns a copy with absent
 * stages filled with null (the library requires the keys) and the largest token id.
 */
function checkTokenizerJson(
  tj: Record<string, unknown>,
  file: string,
): { normalized: Record<string, unknown>; maxId: number } {
  const model = own(tj, 'model');
  if (model === undefined)
    throw badFile(file, 'required field "model" is missing (is this a Hugging Face tokenizer.json?)');
  if (!isJsonObject(model)) throw badFile(file, `"model" must be an object, got ${describeValue(model)}`);
  const type = own(model, 'type');
  if (type !== undefined && type !== 'BPE' && type !== 'WordPiece' && type !== 'Unigram') {
    throw badFile(file, `"model.type" ${describeValue(type)} is not supported (supported: BPE, WordPiece, Unigram)`);
  }
  let maxId = -1;
  const vocab = own(model, 'vocab');
  if (type === 'Unigram' || (type === undefined && Array.isArray(vocab))) {
    if (!Array.isArray(vocab))
      throw badFile(
        file,
        `"model.vocab" of a Unigram model must be an array of [piece, score], got ${describeValue(vocab)}`,
      );
    vocab.forEach((entry, i) => {
      if (!Array.isArray(entry) || entry.length < 2 || typeof entry[0] !== 'string' || typeof entry[1] !== 'number') {
        throw badFile(file, `"model.vocab" item ${i} must be [piece, score], got ${describeValue(entry)}`);
      }
    });
    maxId = vocab.length - 1;
    const unk = own(model, 'unk_id');
    if (
      unk !== undefined &&
      unk !== null &&
      (typeof unk !== 'number' || !Number.isInteger(unk) || unk < 0 || unk >= vocab.length)
    ) {
      throw badFile(file, `"model.unk_id" must be an index into model.vocab, got ${describeValue(unk)}`);
    }
  } else {
    if (!isJsonObject(vocab))
      throw badFile(file, `"model.vocab" must be an object of token → id, got ${describeValue(vocab)}`);
    for (const token of Object.keys(vocab)) {
      const id = vocab[token];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID) {
        throw badFile(
          file,
          `"model.vocab" gives token ${quote(token)} the id ${describeValue(id)}, not an integer in [0, ${MAX_TOKEN_ID}]`,
        );
      }
      if (id > maxId) maxId = id;
    }
    if (type === 'BPE' || (type === undefined && own(model, 'merges') !== undefined))
      checkMerges(own(model, 'merges'), file);
    for (const key of ['unk_token', 'continuing_subword_prefix', 'end_of_word_suffix'] as const) {
      const v = own(model, key);
      if (v !== undefined && v !== null && typeof v !== 'string')
        throw badFile(file, `"model.${key}" must be a string or null, got ${describeValue(v)}`);
    }
  }

  const added = own(tj, 'added_tokens') ?? [];
  if (!Array.isArray(added)) throw badFile(file, `"added_tokens" must be an array, got ${describeValue(added)}`);
  added.forEach((t, i) => {
    if (!isJsonObject(t)) throw badFile(file, `"added_tokens" item ${i} must be an object, got ${describeValue(t)}`);
    const id = own(t, 'id');
    const content = own(t, 'content');
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID) {
      throw badFile(
        file,
        `"added_tokens" item ${i} has id ${describeValue(id)}, not an integer in [0, ${MAX_TOKEN_ID}]`,
      );
    }
    if (typeof content !== 'string' || content.length === 0) {
      throw badFile(
        file,
        `"added_tokens" item ${i} needs "content" as a non-empty string, got ${describeValue(content)}`,
      );
    }
    for (const flag of ['single_word', 'lstrip', 'rstrip', 'normalized', 'special']) {
      const v = own(t, flag);
      if (v !== undefined && typeof v !== 'boolean')
        throw badFile(file, `"added_tokens" item ${i} has "${flag}" ${describeValue(v)}, not true/false`);
    }
    if (id > maxId) maxId = id;
  });
  if (maxId < 0) throw badFile(file, 'the vocabulary is empty');

  const normalized: Record<string, unknown> = { ...tj, added_tokens: added };
  for (const stage of STAGES) {
    const v = own(tj, stage);
    if (v === undefined || v === null) {
      normalized[stage] = null;
    } else if (!isJsonObject(v) || typeof own(v, 'type') !== 'string') {
      throw badFile(file, `"${stage}" must be null or an object with a "type", got ${describeValue(v)}`);
    }
    checkPatterns(v, stage, file, 0);
  }
  return { normalized, maxId };
}

const STAGES = ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder'] as const;
const MAX_STAGE_DEPTH = 32; // Sequences of Sequences; real files nest two or three levels

/** Checks every "pattern" of a pipeline stage, at any depth: {"String": text} or {"Regex": pattern}
 *  (the library silently drops all text for anything else), and refuses a regular expression that
 *  could hang the tokenizer, naming where it is and why. */
function checkPatterns(v: unknown, path: string, file: string, depth: number): void {
  if (depth > MAX_STAGE_DEPTH) throw badFile(file, `"${path}" is nested more than ${MAX_STAGE_DEPTH} levels deep`);
  if (Array.isArray(v)) {
    v.forEach((x, i) => checkPatterns(x, `${path}[${i}]`, file, depth + 1));
    return;
  }
  if (!isJsonObject(v)) return;
  const type = own(v, 'type');
  if ((type === 'Split' || type === 'Replace') && own(v, 'pattern') === undefined) {
    throw badFile(file, `"${path}" is a ${type} without a "pattern"`);
  }
  for (const key of Object.keys(v)) {
    const x = v[key];
    if (key !== 'pattern') {
      checkPatterns(x, `${path}.${key}`, file, depth + 1);
      continue;
    }
    const text = isJsonObject(x) ? own(x, 'String') : undefined;
    const regex = isJsonObject(x) ? own(x, 'Regex') : undefined;
    if (typeof text === 'string' && regex === undefined) continue;
    if (regex === undefined) {
      throw badFile(file, `"${path}.pattern" must be {"String": text} or {"Regex": pattern}, got ${describeValue(x)}`);
    }
    if (typeof regex !== 'string') {
      throw badFile(file, `"${path}.pattern.Regex" must be a string, got ${describeValue(regex)}`);
    }
    const hazard = backtrackingHazard(regex);
    if (hazard) {
      throw badFile(
        file,
        `"${path}.pattern.Regex" ${quote(regex)} ${hazard}`,
        'Stepwise refuses regular expressions that can hang the tokenizer: make the repeated group unambiguous, or use the pattern of the original tokenizer',
      );
    }
  }
}

function checkMerges(merges: unknown, file: string): void {
  if (!Array.isArray(merges))
    throw badFile(file, `"model.merges" of a BPE model must be an array, got ${describeValue(merges)}`);
  const pairs = merges.length > 0 && Array.isArray(merges[0]);
  merges.forEach((m, i) => {
    const ok = pairs
      ? Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string'
      : typeof m === 'string' && m.includes(' ');
    if (!ok) {
      throw badFile(
        file,
        `"model.merges" item ${i} must be ${pairs ? 'a pair of strings' : 'a string "left right"'}, got ${describeValue(m)}`,
      );
    }
  });
}

function checkTokenizerConfig(tc: Record<string, unknown>, file: string): void {
  for (const key of ['eos_token', 'bos_token', 'pad_token', 'mask_token', 'unk_token']) {
    const v = own(tc, key);
    if (v !== undefined && v !== null && tokenText(v) === undefined) {
      throw badFile(file, `"${key}" must be a string or {"content": string}, got ${describeValue(v)}`);
    }
  }
  const extra = own(tc, 'additional_special_tokens');
  if (extra !== undefined && extra !== null && (!Array.isArray(extra) || extra.some((t) => typeof t !== 'string'))) {
    throw badFile(file, `"additional_special_tokens" must be an array of strings, got ${describeValue(extra)}`);
  }
  const clean = own(tc, 'clean_up_tokenization_spaces');
  if (clean !== undefined && clean !== null && typeof clean !== 'boolean') {
    throw badFile(file, `"clean_up_tokenization_spaces" must be true or false, got ${describeValue(clean)}`);
  }
}

/** A special token as written in tokenizer_config.json: "text" or {"content": "text", …}. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isJsonObject(v) && typeof own(v, 'content') === 'string') return own(v, 'content') as string;
  return undefined;
}

function errorText(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.split('\n')[0].slice(0, 160);
}
