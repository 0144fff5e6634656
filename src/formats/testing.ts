// Builders for tests and tools: a tiny byte-level BPE tokenizer.json in the layout of GPT-2's, so
// tests exercise the real @huggingface/tokenizers pipeline without a 1.4 MB file; and assertions on
// the typed file errors every parser throws.

import { isStepwiseError, type ErrorCode, type StepwiseError } from '../shared/errors.ts';

/** GPT-2's map from bytes to printable characters (bytes_to_unicode), in GPT-2 vocabulary order. */
export function bytesToUnicode(): [number, string][] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  return bs.map((b, i) => [b, String.fromCodePoint(cs[i])]);
}

/** Merges for a handful of common English pieces ("Ġ" is the byte-level space). */
export const TINY_MERGES = [
  'Ġ t',
  'h e',
  'Ġt he',
  'i n',
  'e r',
  'a n',
  'Ġ a',
  'o n',
  'r e',
  'Ġ s',
  'e d',
  'n d',
  'Ġa nd',
  'l l',
  'e ll',
  'h ell',
  'hell o',
  'Ġ w',
  'o r',
  'Ġw or',
  'Ġwor l',
  'Ġworl d',
  'i s',
  'Ġ is',
  'in g',
];

export interface TinyTokenizerOptions {
  merges?: string[]; // BPE merges "left right", in priority order
  specialTokens?: string[]; // added special tokens after the vocabulary, e.g. <|endoftext|>, [MASK]
}

/**
 * A byte-level BPE tokenizer.json: the 256 byte characters (ids 0–255), one token per merge result,
 * then the special tokens as added tokens. Pre-tokenizer, post-processor and decoder as GPT-2's.
 */
export function tinyTokenizerJson(options: TinyTokenizerOptions = {}): Record<string, unknown> {
  const merges = options.merges ?? TINY_MERGES;
  const specials = options.specialTokens ?? ['<|endoftext|>', '[MASK]'];
  const vocab: Record<string, number> = {};
  let next = 0;
  for (const [, ch] of bytesToUnicode()) vocab[ch] = next++;
  for (const m of merges) {
    const token = m.replace(' ', '');
    if (!(token in vocab)) vocab[token] = next++;
  }
  const added = specials.map((content) => ({
    id: next++,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

/** Vocabulary size of tinyTokenizerJson(options). */
export function tinyVocabSize(options: TinyTokenizerOptions = {}): number {
  const json = tinyTokenizerJson(options) as { model: { vocab: Record<string, number> }; added_tokens: unknown[] };
  return Object.keys(json.model.vocab).length + json.added_tokens.length;
}

/** Whether `e` is one of the typed errors a file parser may throw (bad-file, or not-found for a missing entry). */
export function isFileError(e: unknown): boolean {
  return isStepwiseError(e) && (e.code === 'bad-file' || e.code === 'not-found');
}

/**
 * Runs `run` and checks it throws a StepwiseError with `code` whose one-line message names `file` and
 * matches `problem`, with a hint. Returns the error; throws a plain Error (failing the test) otherwise.
 */
export async function expectFileError(
  run: () => unknown,
  code: ErrorCode,
  file: string,
  problem: RegExp,
): Promise<StepwiseError> {
  let caught: unknown = undefined;
  let threw = false;
  try {
    await run();
  } catch (e) {
    caught = e;
    threw = true;
  }
  if (!threw) throw new Error(`expected a ${code} error naming ${file} (${problem}), but it succeeded`);
  if (!isStepwiseError(caught)) {
    throw new Error(`expected a StepwiseError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  }
  const where = `[${caught.code}] ${caught.message}`;
  if (caught.code !== code) throw new Error(`expected code ${code}, got ${where}`);
  if (!caught.message.includes(file)) throw new Error(`message does not name ${file}: ${where}`);
  if (!problem.test(caught.message)) throw new Error(`message does not match ${problem}: ${where}`);
  if (caught.message.includes('\n')) throw new Error(`message is not one line: ${where}`);
  if (!caught.hint) throw new Error(`no hint: ${where}`);
  return caught;
}
