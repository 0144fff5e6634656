// The backtracking check: the classic exponential shapes are refused, and the pre-tokenizer patterns
// of real tokenizers (copied from their tokenizer.json files) pass.

import { describe, expect, it } from 'vitest';
import { backtrackingHazard } from './regexHazard.ts';

/** Split patterns of published tokenizer.json files. */
const REAL_PATTERNS: Record<string, string> = {
  'Llama 3': String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  Qwen2: String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  'GPT-4o (o200k)': String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  'DeepSeek V3 (digits)': String.raw`\p{N}{1,3}`,
  'DeepSeek V3 (CJK)': String.raw`[一-龥぀-ゟ゠-ヿ]+`,
  'DeepSeek V3 (words)':
    String.raw`[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_` +
    '`' +
    String.raw`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  'GPT-2 (ByteLevel)': String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
  BLOOM: String.raw` ?[^(\s|[.,!?…。，、।۔،])]+`,
  'Falcon (digits)': String.raw`[0-9][0-9][0-9]`,
};

describe('backtracking hazards', () => {
  it.each(Object.entries(REAL_PATTERNS))('accepts the %s pattern', (_name, pattern) => {
    expect(backtrackingHazard(pattern)).toBeNull();
  });

  it.each([
    ['(a|aa)+$', /"\(a\|aa\)\+" .*alternatives inside a repetition/],
    ['(a+)+b', /"\(a\+\)\+" .*a repetition inside a repetition/],
    ['(a*)*', /"\(a\*\)\*"/],
    [String.raw`^(?:\w+\s?)*$`, /"\(\?:\\\\w\+\\\\s\?\)\*"/],
    ['(x+x+)+y', /"\(x\+x\+\)\+"/],
    ['((ab)*c)+', /"\(\(ab\)\*c\)\+"/],
    ['((a|b)c){2,}', /"\(\(a\|b\)c\)\{2,\}"/],
    ['(a|ab){1,100}', /"\(a\|ab\)\{1,100\}"/],
    ['(?:a+?)+?', /"\(\?:a\+\?\)\+\?"/],
    ['(?<n>a+)+', /"\(\?<n>a\+\)\+"/],
    // A class that JavaScript closes early (`[^]` is any character) must not hide the group after it.
    ['[^](a|aa)+$]', /"\(a\|aa\)\+"/],
  ])('refuses %s, naming the group', (pattern, message) => {
    expect(backtrackingHazard(pattern)).toMatch(message);
  });

  it.each([
    '(?:ab)+',
    'a+b+c*',
    '(abc){2}',
    '(a|b)?',
    '(?:a|b){0,1}',
    '[(a|b)+]+',
    String.raw`\((a|b)\)+`,
    String.raw`\p{L}{2,}`,
    'a{x}+',
    '(a+)',
    ')(',
    '',
  ])('allows %s', (pattern) => {
    expect(backtrackingHazard(pattern)).toBeNull();
  });
});
