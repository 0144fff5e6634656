// Test-only fast-check arbitraries shared by the parser property tests: random mutations of valid
// files at the byte level (flip, truncate, insert, delete, duplicate) and at the JSON level (replace,
// delete or rename any value or key deep inside, with values chosen to hit edge cases).

import fc from 'fast-check';

export type ByteMutation =
  | { kind: 'flip'; at: [number, number][] }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number; to: number };

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
    to: fc.nat(),
  }),
);

export const byteMutations = fc.array(byteMutation, { minLength: 1, maxLength: 3 });

/** Applies mutations to a copy of `bytes` (positions are taken modulo the current length). */
export function mutateBytes(bytes: Uint8Array, mutations: ByteMutation[]): Uint8Array {
  let b: Uint8Array = bytes.slice();
  for (const m of mutations) {
    const n = b.byteLength;
    switch (m.kind) {
      case 'flip':
        if (n > 0) for (const [at, v] of m.at) b[at % n] = v;
        break;
      case 'truncate':
        b = b.slice(0, n === 0 ? 0 : m.at % n);
        break;
      case 'insert': {
        const at = n === 0 ? 0 : m.at % (n + 1);
        b = concat(b.subarray(0, at), m.bytes, b.subarray(at));
        break;
      }
      case 'delete': {
        const at = n === 0 ? 0 : m.at % n;
        b = concat(b.subarray(0, at), b.subarray(at + m.length));
        break;
      }
      case 'duplicate': {
        if (n === 0) break;
        const at = m.at % n;
        const piece = b.slice(at, at + m.length);
        const to = m.to % (n + 1);
        b = concat(b.subarray(0, to), piece, b.subarray(to));
        break;
      }
    }
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** JSON values aimed at validators: wrong types, zero, negatives, fractions, huge numbers, odd strings. */
export const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -0,
    -1,
    1,
    2,
    3,
    7,
    1.5,
    -2.5,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    1e300,
    -1e300,
    '',
    ' ',
    '12',
    'F16',
    'BF16',
    'F32',
    'I64',
    'U16',
    'gpt2',
    'llama',
    'mdlm',
    'BPE',
    '__proto__',
    'constructor',
    [],
    {},
    [0],
    [-1, 2],
    [1, 0],
    [0, 2 ** 53],
    [2 ** 30, 2 ** 30, 2 ** 30],
    { type: 'BPE' },
    ['a', 'b'],
  ),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }),
);

export interface JsonMutation {
  pick: number; // which value / key (modulo the number of places)
  action: 'replace' | 'delete' | 'rename';
  value: unknown;
  key: string;
}

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.record({
  pick: fc.nat(),
  action: fc.constantFrom<JsonMutation['action']>('replace', 'replace', 'delete', 'rename'),
  value: nastyJson,
  key: fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom('__metadata__', 'model', 'model_type', '__proto__', 'weight_map'),
  ),
});

export const jsonMutations = fc.array(jsonMutation, { minLength: 1, maxLength: 3 });

type Place = { parent: Record<string, unknown> | unknown[]; key: string | number };

/** Applies mutations to a deep copy of `root` (a place may be the root itself: pick 0 replaces it). */
export function mutateJson(root: unknown, mutations: JsonMutation[]): unknown {
  const box: Record<string, unknown> = { root: structuredClone(root) };
  for (const m of mutations) {
    const places: Place[] = [{ parent: box, key: 'root' }];
    const walk = (v: unknown): void => {
      if (places.length > 5000 || v === null || typeof v !== 'object') return;
      if (Array.isArray(v)) {
        v.forEach((x, i) => {
          places.push({ parent: v, key: i });
          walk(x);
        });
      } else {
        for (const k of Object.keys(v)) {
          places.push({ parent: v as Record<string, unknown>, key: k });
          walk((v as Record<string, unknown>)[k]);
        }
      }
    };
    walk(box.root);
    const p = places[m.pick % places.length];
    const parent = p.parent as Record<string | number, unknown>;
    if (m.action === 'replace' || p.parent === box) {
      parent[p.key] = structuredClone(m.value);
    } else if (m.action === 'delete') {
      if (Array.isArray(p.parent)) p.parent.splice(p.key as number, 1);
      else delete parent[p.key];
    } else if (!Array.isArray(p.parent)) {
      const v = parent[p.key];
      delete parent[p.key];
      Object.defineProperty(parent, m.key, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return box.root;
}

/** Bytes of `value` as JSON text (sometimes not JSON at all if the value is undefined). */
export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value) ?? '');
}
