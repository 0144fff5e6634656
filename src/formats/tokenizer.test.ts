// tokenizer.json through @huggingface/tokenizers: a tiny byte-level BPE built here round-trips text;
// malformed files give bad-file errors naming tokenizer.json / tokenizer_config.json; properties.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStepwiseError } from '../shared/errors.ts';
import { byteMutations, jsonBytes, jsonMutations, mutateBytes, mutateJson, nastyJson } from './fuzz.ts';
import { expectFileError, isFileError, tinyTokenizerJson, tinyVocabSize } from './testing.ts';
import { TOKENIZER_CONFIG_FILE, TOKENIZER_FILE, loadTokenizer } from './tokenizer.ts';

const base = tinyTokenizerJson(); // 256 bytes + merges + <|endoftext|> + [MASK]
type Json = Record<string, unknown>;
const withModel = (patch: Json): Json => ({ ...base, model: { ...(base.model as Json), ...patch } });
const bad = (json: unknown, problem: RegExp) =>
  expectFileError(() => loadTokenizer(JSON.stringify(json)), 'bad-file', TOKENIZER_FILE, problem);

describe('tokenizer.json: a tiny byte-level BPE', () => {
  const tok = loadTokenizer(jsonBytes(base));

  it('round-trips text, including unicode, whitespace runs and special tokens', () => {
    for (const text of [
      'hello world',
      ' the cat and the dog is running',
      'héllo 🙂 — 日本語\n\n\t  x  ',
      '<|endoftext|>[MASK] the end',
      '',
      ' ',
    ]) {
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
  });

  it('applies the merges and the added tokens', () => {
    expect(tok.encode(' the')).toEqual([tok.tokenToId('Ġthe')]);
    expect(tok.encode('<|endoftext|>')).toEqual([tok.specialIds.eos]);
    expect(tok.encode('a[MASK]b')).toEqual([tok.tokenToId('a'), tok.specialIds.mask, tok.tokenToId('b')]);
  });

  it('reports vocabulary size, special ids and the token table', () => {
    expect(tok.vocabSize).toBe(tinyVocabSize());
    expect(tok.specialIds).toEqual({ eos: tok.vocabSize - 2, mask: tok.vocabSize - 1 });
    expect(tok.idToToken(0)).toBe('!');
    expect(tok.idToToken(tok.vocabSize)).toBeUndefined();
    expect(tok.idToToken(-1)).toBeUndefined();
    expect(tok.tokenToId('no such token')).toBeUndefined();
  });

  it('takes special tokens from tokenizer_config.json', () => {
    const t = loadTokenizer(base, { eos_token: { content: '[MASK]' }, mask_token: '<|endoftext|>' });
    expect(t.specialIds).toEqual({ eos: t.vocabSize - 1, mask: t.vocabSize - 2 });
  });

  it('rejects ids outside the vocabulary on decode (bad-input)', () => {
    expect(() => tok.decode([1, tok.vocabSize])).toThrow(
      /token id 283 is outside the vocabulary \[0, 283\) of tokenizer.json/,
    );
    try {
      tok.decode([-1]);
    } catch (e) {
      expect(isStepwiseError(e) && e.code).toBe('bad-input');
    }
  });

  it('property: encode → decode is the identity on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        expect(tok.decode(tok.encode(s))).toBe(s);
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});

describe('tokenizer.json: bad files', () => {
  it('rejects text that is not JSON', () =>
    expectFileError(
      () => loadTokenizer('{"model": '),
      'bad-file',
      TOKENIZER_FILE,
      /tokenizer.json: the file is not valid JSON/,
    ));
  it('rejects bytes that are not UTF-8', () =>
    expectFileError(() => loadTokenizer(new Uint8Array([0xff, 0xfe])), 'bad-file', TOKENIZER_FILE, /not valid UTF-8/));
  it('rejects JSON that is not an object', () =>
    expectFileError(
      () => loadTokenizer('["model"]'),
      'bad-file',
      TOKENIZER_FILE,
      /must be a JSON object, got an array/,
    ));
  it('rejects a file without "model"', () => bad({ ...base, model: undefined }, /required field "model" is missing/));
  it('rejects a "model" that is not an object', () =>
    bad({ ...base, model: 'BPE' }, /"model" must be an object, got "BPE"/));
  it('rejects an unsupported model type', () =>
    bad(withModel({ type: 'CharLevel' }), /"model.type" "CharLevel" \(a string\) is not supported/));
  it('rejects a vocabulary that is not an object', () =>
    bad(withModel({ vocab: [1, 2] }), /"model.vocab" must be an object of token → id/));
  it('rejects a negative token id', () => bad(withModel({ vocab: { a: -1 } }), /gives token "a" the id -1/));
  it('rejects a fractional token id', () => bad(withModel({ vocab: { a: 0.5 } }), /gives token "a" the id 0.5/));
  it('rejects a string token id', () =>
    bad(withModel({ vocab: { a: '0' } }), /gives token "a" the id "0" \(a string\)/));
  it('rejects merges that are not an array', () =>
    bad(withModel({ merges: 'a b' }), /"model.merges" of a BPE model must be an array/));
  it('rejects a merge without a space', () =>
    bad(withModel({ merges: ['ab'] }), /"model.merges" item 0 must be a string "left right", got "ab"/));
  it('rejects mixed merge formats', () =>
    bad(withModel({ merges: [['a', 'b'], 'c d'] }), /"model.merges" item 1 must be a pair of strings/));
  it('rejects added_tokens that are not an array', () =>
    bad({ ...base, added_tokens: {} }, /"added_tokens" must be an array/));
  it('rejects an added token without content', () =>
    bad({ ...base, added_tokens: [{ id: 5 }] }, /"added_tokens" item 0 needs "content" as a non-empty string/));
  it('rejects an added token with a bad id', () =>
    bad({ ...base, added_tokens: [{ id: 2 ** 40, content: 'x' }] }, /"added_tokens" item 0 has id 1099511627776/));
  it('rejects a pipeline stage that is not an object', () =>
    bad({ ...base, decoder: 'ByteLevel' }, /"decoder" must be null or an object with a "type"/));
  it('rejects an unknown pre-tokenizer type (the library error, named)', () =>
    bad(
      { ...base, pre_tokenizer: { type: 'Nonsense' } },
      /tokenizer.json: the tokenizer could not be built: .*Nonsense/,
    ));
  it('rejects an empty vocabulary', () =>
    bad({ ...base, added_tokens: [], model: { type: 'WordPiece', vocab: {} } }, /the vocabulary is empty/));
  it('rejects a Unigram vocabulary of the wrong shape', () =>
    bad(
      { ...base, model: { type: 'Unigram', vocab: [['a', 0], 'b'] } },
      /"model.vocab" item 1 must be \[piece, score\]/,
    ));
  it('rejects a tokenizer_config.json that is not JSON', () =>
    expectFileError(
      () => loadTokenizer(base, '{eos_token'),
      'bad-file',
      TOKENIZER_CONFIG_FILE,
      /tokenizer_config.json: the file is not valid JSON/,
    ));
  it('rejects a tokenizer_config.json eos_token of the wrong type', () =>
    expectFileError(
      () => loadTokenizer(base, { eos_token: 5 }),
      'bad-file',
      TOKENIZER_CONFIG_FILE,
      /"eos_token" must be a string or \{"content": string\}, got 5/,
    ));
  it('accepts a tokenizer.json without the optional pipeline keys', () => {
    const t = loadTokenizer({ model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2 }, merges: ['a b'] } });
    expect(t.encode('ab')).toEqual([2]);
    expect(t.vocabSize).toBe(3);
  });
});

describe('tokenizer.json: regular expressions that could hang the worker', () => {
  const split = (regex: unknown) => ({ type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false });

  it('refuses the (a|aa)+$ Split pre-tokenizer at load, naming where it is', async () => {
    await bad(
      { ...base, pre_tokenizer: split('(a|aa)+$') },
      /"pre_tokenizer.pattern.Regex" "\(a\|aa\)\+\$" repeats the group "\(a\|aa\)\+" .*exponential time/,
    );
  });

  it('finds it inside a Sequence, in a Replace normalizer and in a Replace decoder', async () => {
    await bad(
      { ...base, pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Digits' }, split('(x+)+y')] } },
      /"pre_tokenizer.pretokenizers\[1\].pattern.Regex" "\(x\+\)\+y"/,
    );
    await bad(
      { ...base, normalizer: { type: 'Replace', pattern: { Regex: '(\\s*,)*$' }, content: '' } },
      /"normalizer.pattern.Regex"/,
    );
    await bad(
      { ...base, decoder: { type: 'Replace', pattern: { Regex: '(?:ab|a)+c' }, content: '' } },
      /"decoder.pattern.Regex"/,
    );
  });

  it('says what to do', () => {
    try {
      loadTokenizer(JSON.stringify({ ...base, pre_tokenizer: split('(a|aa)+$') }));
    } catch (e) {
      expect(isStepwiseError(e) && e.hint).toMatch(/refuses regular expressions that can hang the tokenizer/);
      return;
    }
    throw new Error('not refused');
  });

  it('rejects a pattern that is missing, or neither {String} nor {Regex} (the library would drop all text)', async () => {
    await bad(
      { ...base, pre_tokenizer: { type: 'Split', behavior: 'Isolated' } },
      /"pre_tokenizer" is a Split without a "pattern"/,
    );
    await bad(
      { ...base, pre_tokenizer: { type: 'Split', pattern: {}, behavior: 'Isolated', invert: false } },
      /"pre_tokenizer.pattern" must be \{"String": text\} or \{"Regex": pattern\}, got an object/,
    );
    await bad(
      { ...base, normalizer: { type: 'Replace', pattern: 'x', content: '' } },
      /"normalizer.pattern" must be \{"String": text\} or \{"Regex": pattern\}, got "x"/,
    );
  });

  it('rejects a Regex that is not a string, and stages nested absurdly deep', async () => {
    await bad({ ...base, pre_tokenizer: split(42) }, /"pre_tokenizer.pattern.Regex" must be a string, got 42/);
    let deep: Json = { type: 'Digits' };
    for (let i = 0; i < 40; i++) deep = { type: 'Sequence', pretokenizers: [deep] };
    await bad({ ...base, pre_tokenizer: deep }, /is nested more than 32 levels deep/);
  });

  it("keeps a real tokenizer's Split pattern working (Llama 3's)", () => {
    const llama3 = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
    const t = loadTokenizer({
      ...base,
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [split(llama3), { type: 'ByteLevel', add_prefix_space: false, use_regex: false }],
      },
    });
    const text = `${'a'.repeat(47)}b and the rest`;
    expect(t.decode(t.encode(text))).toBe(text);
  });
});

describe('tokenizer.json: properties', () => {
  /** Loads, and when that works encodes and decodes a little text: only typed errors may come out. */
  const check = (tj: string | Uint8Array): void => {
    try {
      const t = loadTokenizer(tj);
      const ids = t.encode('hello the world [MASK]<|endoftext|> é');
      for (const id of ids) expect(Number.isInteger(id)).toBe(true);
      t.decode(ids.filter((id) => id >= 0 && id < t.vocabSize));
    } catch (e) {
      if (!(isFileError(e) || (isStepwiseError(e) && e.code === 'bad-input'))) throw e;
    }
  };
  const baseBytes = jsonBytes(base);
  const settings = { numRuns: 2000, seed: 9 };

  it('random bytes give only typed errors', () =>
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), settings));

  it('byte mutations of a valid tokenizer.json give only typed errors', () =>
    fc.assert(
      fc.property(byteMutations, (m) => check(mutateBytes(baseBytes, m))),
      settings,
    ));

  it('JSON mutations of a valid tokenizer.json give only typed errors', () =>
    fc.assert(
      fc.property(jsonMutations, (m) => check(jsonBytes(mutateJson(base, m)))),
      settings,
    ));

  it('random values in the top-level and model fields give only typed errors', () =>
    fc.assert(
      fc.property(
        fc.constantFrom(
          'model',
          'added_tokens',
          'normalizer',
          'pre_tokenizer',
          'post_processor',
          'decoder',
          'model.type',
          'model.vocab',
          'model.merges',
          'model.unk_token',
          'model.byte_fallback',
          'model.end_of_word_suffix',
        ),
        nastyJson,
        (field, value) => {
          const [a, b] = field.split('.');
          check(JSON.stringify(b ? withModel({ [b]: value }) : { ...base, [a]: value }));
        },
      ),
      settings,
    ));
});
