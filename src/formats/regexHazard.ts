// Regular expressions from a tokenizer.json (Split pre-tokenizers, Replace normalizers and decoders)
// run in the engine's thread, and a JavaScript RegExp cannot be interrupted: a pattern that
// backtracks exponentially hangs the worker, Pause and Cancel included. `(a|aa)+$` against 47 × "a"
// then "b" runs for minutes. Such patterns are refused when the file is loaded.
//
// The rule is the classic one for catastrophic backtracking: a group repeated without a small bound
// (`*`, `+`, `{n,}`, `{n,m}` with m > 1) whose body can itself match a given text in more than one
// way: it contains a repetition (nested quantifiers, `(a+)+`) or alternatives (`(a|aa)+`). Real
// pre-tokenizer patterns (GPT-2, Llama 3, Qwen2, DeepSeek, Mistral, BLOOM) repeat only single
// characters and classes, so they pass. Polynomial patterns (`\s*[\r\n]+`, which Llama 3 uses) are
// allowed: on a prompt they cost milliseconds, not minutes.

interface Frame {
  start: number; // index of the "(" (0 for the whole pattern)
  alternatives: boolean; // a "|" somewhere inside
  repeats: boolean; // a repeated atom somewhere inside
}

/** Why `pattern` may backtrack exponentially (naming the group), or null when it has no such group.
 *  Character classes are read both ways the pattern may be taken, JavaScript's (`[` inside a class is
 *  a plain character, `[^]` is any character) and Oniguruma's (classes nest, a leading `]` is plain),
 *  so a class cannot hide a group from one reading that the other would run. */
export function backtrackingHazard(pattern: string): string | null {
  return scan(pattern, false) ?? scan(pattern, true);
}

function scan(pattern: string, nested: boolean): string | null {
  const stack: Frame[] = [{ start: 0, alternatives: false, repeats: false }];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    const top = stack[stack.length - 1];
    if (c === '\\') {
      i = skipEscape(pattern, i);
      i = quantified(pattern, i, top);
    } else if (c === '[') {
      i = skipClass(pattern, i, nested);
      i = quantified(pattern, i, top);
    } else if (c === '(') {
      stack.push({ start: i, alternatives: false, repeats: false });
      i++;
    } else if (c === ')') {
      i++;
      if (stack.length === 1) continue; // unbalanced: the RegExp constructor reports it
      const group = stack.pop()!;
      const parent = stack[stack.length - 1];
      const q = readQuantifier(pattern, i);
      if (q && q.repeats && (group.alternatives || group.repeats)) {
        const text = pattern.slice(group.start, q.end);
        const why = group.repeats ? 'a repetition inside a repetition' : 'alternatives inside a repetition';
        return `repeats the group ${short(text)} whose body can match the same text in several ways (${why}), which can take exponential time on some text`;
      }
      parent.alternatives ||= group.alternatives;
      parent.repeats ||= group.repeats || (q?.repeats ?? false);
      i = q ? q.end : i;
    } else if (c === '|') {
      top.alternatives = true;
      i++;
    } else {
      i = quantified(pattern, i + 1, top);
    }
  }
  return null;
}

/** After an atom ending before `i`: records a repeating quantifier in `frame`; returns the next index. */
function quantified(pattern: string, i: number, frame: Frame): number {
  const q = readQuantifier(pattern, i);
  if (!q) return i;
  if (q.repeats) frame.repeats = true;
  return q.end;
}

/** `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` at `i` (with a lazy `?` or possessive `+` after it). */
function readQuantifier(pattern: string, i: number): { repeats: boolean; end: number } | null {
  const c = pattern[i];
  let repeats: boolean;
  let end: number;
  if (c === '*' || c === '+') {
    repeats = true;
    end = i + 1;
  } else if (c === '?') {
    repeats = false;
    end = i + 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 24));
    if (!m) return null; // a literal "{"
    const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    repeats = max > 1;
    end = i + m[0].length;
  } else {
    return null;
  }
  if (pattern[end] === '?' || pattern[end] === '+') end++;
  return { repeats, end };
}

/** Skips `\x`, and the braces of `\p{…}`, `\u{…}`, `\x{…}`, `\k<…>`. */
function skipEscape(pattern: string, i: number): number {
  const next = pattern[i + 1];
  if ((next === 'p' || next === 'P' || next === 'u' || next === 'x') && pattern[i + 2] === '{') {
    const close = pattern.indexOf('}', i + 3);
    return close < 0 ? pattern.length : close + 1;
  }
  if (next === 'k' && pattern[i + 2] === '<') {
    const close = pattern.indexOf('>', i + 3);
    return close < 0 ? pattern.length : close + 1;
  }
  return Math.min(pattern.length, i + 2);
}

/** Skips the character class at `i`: JavaScript's reading, or with `nested` Oniguruma's (`[a[b]]`,
 *  which BLOOM's pattern uses; a "]" first in a class is a plain character). */
function skipClass(pattern: string, i: number, nested: boolean): number {
  let depth = 0;
  let j = i;
  while (j < pattern.length) {
    const c = pattern[j];
    if (c === '\\') {
      j = skipEscape(pattern, j);
      continue;
    }
    if (c === '[' && (nested || depth === 0)) {
      depth++;
      j++;
      if (pattern[j] === '^') j++;
      if (nested && pattern[j] === ']') j++;
      continue;
    }
    if (c === ']' && --depth === 0) return j + 1;
    j++;
  }
  return j;
}

function short(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
