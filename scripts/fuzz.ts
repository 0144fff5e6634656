// Fuzzing the parsers of untrusted input: safetensors headers (and the tensors behind them),
// config.json, tokenizer.json, model.safetensors.index.json and command-line arguments. Each case is
// random bytes, a byte-level or JSON-level mutation of a real file, or random values in real fields
// (fast-check arbitraries of src/formats/fuzz.ts); each outcome is "accepted" (and then consistent),
// "rejected" with a typed error naming the problem, or "untyped": anything else thrown (a TypeError,
// a RangeError, an inconsistent result), which is a bug. The CI test (fuzz.test.ts) runs 2,000 cases
// per parser; the nightly size is the default here:
//
//   npm run fuzz -- [--cases 10000] [--seed 1] [--only safetensors,config] [--json]
//
// Exit 1 when any case was untyped (the first few are printed with their input).

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { parseArgs, type CommandSpec } from '../src/cli/args.ts';
import { COMMANDS } from '../src/cli/run.ts';
import { bytesSource } from '../src/formats/byteSource.ts';
import { parseCheckpointIndex } from '../src/formats/checkpointIndex.ts';
import { parseModelConfig } from '../src/formats/config.ts';
import { byteMutations, jsonBytes, jsonMutations, mutateBytes, mutateJson, nastyJson } from '../src/formats/fuzz.ts';
import { openSafetensors } from '../src/formats/safetensors.ts';
import { writeSafetensors } from '../src/formats/safetensorsWriter.ts';
import { tinyTokenizerJson } from '../src/formats/testing.ts';
import { loadTokenizer } from '../src/formats/tokenizer.ts';
import { isStepwiseError } from '../src/shared/errors.ts';
import { makeTestModelFiles } from './make-test-model.ts';

export interface FuzzTarget<T> {
  name: string;
  what: string; // one line for the report
  input: fc.Arbitrary<T>;
  /** Parses one input; throws a typed error to reject it, anything else is a bug. */
  run(input: T): void | Promise<void>;
  /** The typed errors this parser may throw. */
  typed(e: unknown): boolean;
}

export interface FuzzReport {
  name: string;
  cases: number;
  accepted: number;
  rejected: number; // typed errors
  untyped: number; // bugs
  examples: { input: string; error: string }[]; // the first untyped cases
  ms: number;
}

const fileError = (e: unknown): boolean => isStepwiseError(e) && (e.code === 'bad-file' || e.code === 'not-found');
const ROOT = new URL('../', import.meta.url);
const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(path, ROOT), 'utf8'));

// ---- safetensors ----------------------------------------------------------------------------------

const smallFile = writeSafetensors(
  {
    'wte.weight': { dtype: 'F16', shape: [4, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
    'ln.weight': { dtype: 'BF16', shape: [3], data: [1, -1, 0.5] },
    'h.0.w': { dtype: 'F32', shape: [2, 2], data: [0.1, 0.2, 0.3, 0.4] },
    ids: { dtype: 'I32', shape: [2], data: [7, -7] },
    scalar: { dtype: 'F32', shape: [], data: [3] },
  },
  { format: 'pt' },
);
const testModel = makeTestModelFiles({ seed: 9, nLayer: 1, nEmbd: 8, nHead: 2, nPositions: 8 });

function splitFile(bytes: Uint8Array): { header: unknown; data: Uint8Array } {
  const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  return {
    header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))),
    data: bytes.slice(8 + n),
  };
}

function joinFile(headerText: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + headerText.byteLength + data.byteLength);
  new DataView(out.buffer).setUint32(0, headerText.byteLength, true);
  out.set(headerText, 8);
  out.set(data, 8 + headerText.byteLength);
  return out;
}

const safetensorsBases = [smallFile, testModel['model.safetensors']];

export const safetensorsTarget: FuzzTarget<Uint8Array> = {
  name: 'safetensors',
  what: 'model.safetensors: header length, header JSON and every tensor read',
  input: fc.oneof(
    fc.uint8Array({ maxLength: 400 }),
    fc.tuple(fc.constantFrom(...safetensorsBases), byteMutations).map(([b, m]) => mutateBytes(b, m)),
    fc.tuple(fc.constantFrom(...safetensorsBases), jsonMutations).map(([b, m]) => {
      const { header, data } = splitFile(b);
      return joinFile(jsonBytes(mutateJson(header, m)), data);
    }),
    fc.tuple(fc.integer({ min: 0, max: 600 }), fc.uint8Array({ maxLength: 600 })).map(([n, rest]) => {
      const out = new Uint8Array(8 + rest.byteLength);
      new DataView(out.buffer).setUint32(0, n, true);
      out.set(rest, 8);
      return out;
    }),
  ),
  async run(bytes) {
    const f = await openSafetensors(bytesSource('model.safetensors', bytes));
    for (const name of f.names()) {
      const t = await f.readTensor(name);
      const numel = t.shape.reduce((a, b) => a * b, 1);
      if (t.data.length !== numel) throw new Error(`tensor ${name}: ${t.data.length} values for shape ${t.shape}`);
    }
  },
  typed: fileError,
};

// ---- config.json ----------------------------------------------------------------------------------

const CONFIG_PATHS = [
  'public/models/brown-gpt2/config.json',
  'public/models/brown-mdlm/config.json',
  'public/models/emoji-ar/config.json',
  'public/models/emoji-maskgit/config.json',
  'public/models/emoji-rvq/config.json',
  'src/models/fixtures/tiny-llama/config.json',
];
const configs = CONFIG_PATHS.map(readJson) as Record<string, unknown>[];
const configKeys = [...new Set(configs.flatMap((c) => Object.keys(c)))];

export const configTarget: FuzzTarget<Uint8Array | string> = {
  name: 'config',
  what: 'config.json of every architecture (gpt2, llama, mdlm, stepwise-maskgit/-ar/-rvq)',
  input: fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.tuple(fc.constantFrom(...configs), byteMutations).map(([c, m]) => mutateBytes(jsonBytes(c), m)),
    fc.tuple(fc.constantFrom(...configs), jsonMutations).map(([c, m]) => jsonBytes(mutateJson(c, m))),
    fc
      .tuple(
        fc.constantFrom(...configs),
        fc.dictionary(fc.constantFrom(...configKeys, 'stepwise', 'head_dim'), nastyJson),
      )
      .map(([c, patch]) => JSON.stringify({ ...c, ...patch, model_type: c.model_type })),
  ),
  run(input) {
    const c = parseModelConfig(input);
    if (c.modelType === 'gpt2' && c.nHead * c.headDim !== c.nEmbd) throw new Error('gpt2: n_head · head_dim ≠ n_embd');
    if (c.modelType === 'llama' && c.numAttentionHeads % c.numKeyValueHeads !== 0) throw new Error('llama: heads');
    if (c.modelType === 'mdlm' && !(c.maskTokenId >= 0 && c.maskTokenId < c.vocabSize)) throw new Error('mdlm: mask');
  },
  typed: fileError,
};

// ---- tokenizer.json -------------------------------------------------------------------------------

const LLAMA3_SPLIT = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
const tiny = tinyTokenizerJson();
const tokenizers: Record<string, unknown>[] = [
  tiny,
  {
    ...tiny,
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Replace', pattern: { String: '\r\n' }, content: '\n' }] },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: LLAMA3_SPLIT }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
  },
];
const TOKENIZER_FIELDS = ['model', 'added_tokens', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder'];
const MODEL_FIELDS = ['type', 'vocab', 'merges', 'unk_token', 'byte_fallback', 'end_of_word_suffix'];
const SAMPLE_TEXT = 'hello the world [MASK]<|endoftext|> é 12345 aaaaaaaaaaaaaaaaaaaaaaaaab';

export const tokenizerTarget: FuzzTarget<Uint8Array | string> = {
  name: 'tokenizer',
  what: 'tokenizer.json (BPE, with and without Split regular expressions), then encode and decode a line',
  input: fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.tuple(fc.constantFrom(...tokenizers), byteMutations).map(([t, m]) => mutateBytes(jsonBytes(t), m)),
    fc.tuple(fc.constantFrom(...tokenizers), jsonMutations).map(([t, m]) => jsonBytes(mutateJson(t, m))),
    fc
      .tuple(
        fc.constantFrom(...tokenizers),
        fc.constantFrom(...TOKENIZER_FIELDS, ...MODEL_FIELDS.map((f) => `model.${f}`)),
        nastyJson,
      )
      .map(([t, field, value]) => {
        const [a, b] = field.split('.');
        return JSON.stringify(b ? { ...t, model: { ...(t.model as object), [b]: value } } : { ...t, [a]: value });
      }),
    fc.tuple(fc.constantFrom(...tokenizers), fc.string({ maxLength: 24 })).map(([t, regex]) =>
      JSON.stringify({
        ...t,
        pre_tokenizer: { type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false },
      }),
    ),
  ),
  run(input) {
    const t = loadTokenizer(input);
    const ids = t.encode(SAMPLE_TEXT);
    for (const id of ids) if (!Number.isInteger(id)) throw new Error(`encode gave the id ${id}`);
    t.decode(ids.filter((id) => id >= 0 && id < t.vocabSize));
  },
  typed: (e) => fileError(e) || (isStepwiseError(e) && e.code === 'bad-input'),
};

// ---- model.safetensors.index.json -----------------------------------------------------------------

const index = JSON.parse(
  new TextDecoder().decode(makeTestModelFiles({ shards: 3 })['model.safetensors.index.json']),
) as Record<string, unknown>;

export const indexTarget: FuzzTarget<Uint8Array | string> = {
  name: 'index',
  what: 'model.safetensors.index.json',
  input: fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    byteMutations.map((m) => mutateBytes(jsonBytes(index), m)),
    jsonMutations.map((m) => jsonBytes(mutateJson(index, m))),
    nastyJson.map((v) => JSON.stringify({ weight_map: v, metadata: v }) ?? ''),
  ),
  run(input) {
    const idx = parseCheckpointIndex(input);
    for (const s of idx.weightMap.values()) if (!s.endsWith('.safetensors')) throw new Error(`shard ${s}`);
  },
  typed: fileError,
};

// ---- command-line arguments -----------------------------------------------------------------------

const specs: CommandSpec[] = COMMANDS.map((c) => c.spec);
const words = [
  ...specs.map((s) => s.name),
  ...specs.flatMap((s) => Object.keys(s.options).map((o) => `--${o}`)),
  ...specs.flatMap((s) => Object.entries(s.options).flatMap(([o, v]) => [`--${o}=`, `--${o}=${v.choices?.[0] ?? 1}`])),
  ...specs.flatMap((s) => Object.values(s.options).flatMap((v) => v.choices ?? [])),
  '--',
  '-',
  '--help',
  '-h',
  '',
  ' ',
  '0',
  '-1',
  '1e400',
  'NaN',
  'Infinity',
  '0x10',
  '1.5',
  '__proto__',
  '--__proto__',
  '--constructor',
  '--toString',
  'brown-gpt2',
];

const anyWord = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...words) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
);

/** A command line that mostly follows one command's spec: its positionals, then options with values
 *  near their ranges and choices, with a random word here and there. */
const nearlyValid: fc.Arbitrary<string[]> = fc.constantFrom(...specs).chain((spec) => {
  const names = Object.keys(spec.options);
  const option: fc.Arbitrary<string[]> = names.length
    ? fc.constantFrom(...names).chain((name): fc.Arbitrary<string[]> => {
        const o = spec.options[name];
        if (o.type === 'boolean') return fc.constant([`--${name}`]);
        const values: fc.Arbitrary<string>[] = [anyWord];
        if (o.choices) values.push(fc.constantFrom(...o.choices));
        if (o.type !== 'string') {
          const lo = o.min ?? -1e6;
          const hi = o.max ?? 1e6;
          values.push(fc.integer({ min: Math.ceil(lo) - 2, max: Math.min(Math.floor(hi) + 2, 2 ** 31) }).map(String));
          values.push(fc.double({ min: lo - 1, max: hi + 1, noNaN: true }).map(String));
        } else {
          values.push(fc.string({ maxLength: 8 }));
        }
        return fc.oneof(...values).chain((v) => fc.constantFrom<string[]>([`--${name}`, v], [`--${name}=${v}`]));
      })
    : fc.constant([] as string[]);
  return fc
    .tuple(
      fc.array(fc.string({ minLength: 1, maxLength: 8 }), {
        minLength: (spec.positionals ?? []).length,
        maxLength: (spec.positionals ?? []).length,
      }),
      fc.array(fc.oneof({ weight: 8, arbitrary: option }, { weight: 1, arbitrary: anyWord.map((w) => [w]) }), {
        maxLength: 5,
      }),
    )
    .map(([positionals, options]) => [spec.name, ...positionals.map((p) => p.replace(/^-+/, 'x')), ...options.flat()]);
});

export const argsTarget: FuzzTarget<string[]> = {
  name: 'cli-args',
  what: 'command-line arguments of every command',
  input: fc.oneof(fc.array(anyWord, { maxLength: 8 }), nearlyValid),
  run(argv) {
    const parsed = parseArgs(argv, specs);
    const spec = specs.find((s) => s.name === parsed.command);
    if (!spec) throw new Error(`parsed an unknown command ${parsed.command}`);
    if (parsed.positionals.length !== (spec.positionals ?? []).length) throw new Error('positional count');
    for (const [name, value] of Object.entries(parsed.options)) {
      if (!Object.hasOwn(spec.options, name)) throw new Error(`parsed an undeclared option --${name}`);
      const o = spec.options[name];
      const ok =
        o.type === 'boolean'
          ? value === true
          : o.type === 'string'
            ? typeof value === 'string' && (!o.choices || o.choices.includes(value))
            : typeof value === 'number' &&
              Number.isFinite(value) &&
              (o.type === 'number' || Number.isInteger(value)) &&
              (o.min === undefined || value >= o.min) &&
              (o.max === undefined || value <= o.max);
      if (!ok) throw new Error(`--${name} parsed as ${JSON.stringify(value)}, against its spec`);
    }
  },
  typed: (e) => isStepwiseError(e) && e.code === 'bad-input',
};

export const FUZZ_TARGETS = [
  safetensorsTarget,
  configTarget,
  tokenizerTarget,
  indexTarget,
  argsTarget,
] as FuzzTarget<unknown>[];

/** Runs `cases` inputs of one target (deterministic for a seed). */
export async function fuzz<T>(target: FuzzTarget<T>, cases: number, seed: number): Promise<FuzzReport> {
  const report: FuzzReport = { name: target.name, cases, accepted: 0, rejected: 0, untyped: 0, examples: [], ms: 0 };
  const t0 = performance.now();
  // Generated in batches, so a nightly run does not hold every input at once.
  for (let done = 0, batch = 0; done < cases; batch++) {
    const n = Math.min(1000, cases - done);
    for (const input of fc.sample(target.input, { numRuns: n, seed: seed * 1_000_003 + batch })) {
      try {
        await target.run(input);
        report.accepted++;
      } catch (e) {
        if (target.typed(e)) {
          report.rejected++;
        } else {
          report.untyped++;
          if (report.examples.length < 3)
            report.examples.push({ input: describe(input), error: String((e as Error)?.stack ?? e) });
        }
      }
    }
    done += n;
  }
  report.ms = performance.now() - t0;
  return report;
}

function describe(input: unknown): string {
  if (input instanceof Uint8Array) {
    const text = new TextDecoder().decode(input.subarray(0, 300));
    return `${input.byteLength} bytes: ${JSON.stringify(text)}`;
  }
  const s = typeof input === 'string' ? input : JSON.stringify(input);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

async function main(argv: string[]): Promise<number> {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const cases = Number(value('cases') ?? 10_000);
  const seed = Number(value('seed') ?? 1);
  const only = value('only')?.split(',');
  if (!Number.isSafeInteger(cases) || cases < 1 || !Number.isSafeInteger(seed)) {
    process.stderr.write('usage: npm run fuzz -- [--cases N] [--seed S] [--only a,b] [--json]\n');
    return 2;
  }
  const targets = FUZZ_TARGETS.filter((t) => !only || only.includes(t.name));
  const reports: FuzzReport[] = [];
  for (const t of targets) {
    process.stderr.write(`fuzzing ${t.name}: ${t.what} …\n`);
    const r = await fuzz(t, cases, seed);
    reports.push(r);
    process.stderr.write(
      `  ${r.cases} cases: ${r.accepted} accepted, ${r.rejected} rejected with a typed error, ${r.untyped} untyped (${(r.ms / 1000).toFixed(1)} s)\n`,
    );
    for (const ex of r.examples)
      process.stderr.write(`  UNTYPED on ${ex.input}\n    ${ex.error.split('\n').join('\n    ')}\n`);
  }
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ seed, reports })}\n`);
  return reports.some((r) => r.untyped > 0) ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
