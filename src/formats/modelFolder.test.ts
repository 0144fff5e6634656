// Model folders end to end: the tiny GPT-2 folder of scripts/make-test-model.ts loads (in memory and
// from disk, single-file and sharded), and each broken variant fails with the right code, naming the
// file and the problem; NaN / Inf weights load with a warning.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BROKEN_KINDS,
  breakModelFiles,
  makeTestModelFiles,
  writeModelFolder,
  type BrokenKind,
} from '../../scripts/make-test-model.ts';
import { f32ToF16Bytes, f16BytesToF32 } from './halfFloat.ts';
import { loadModelFolder, memoryFolder } from './modelFolder.ts';
import { nodeFolder } from './nodeFolder.ts';
import { expectFileError } from './testing.ts';

const files = makeTestModelFiles();
let tmp = '';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'stepwise-formats-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('tiny GPT-2 model folder', () => {
  it('loads from memory with real GPT-2 tensor names and shapes', async () => {
    const m = await loadModelFolder(memoryFolder('tiny', files));
    if (m.config.modelType !== 'gpt2') throw new Error(m.config.modelType);
    const { nEmbd: n, nLayer, vocabSize, nPositions } = m.config;
    expect(m.tokenizer?.vocabSize).toBe(vocabSize);
    expect(m.tokenizer?.specialIds.eos).toBe(vocabSize - 1);
    const names = m.checkpoint.names();
    expect(names).toHaveLength(4 + 13 * nLayer);
    expect(m.checkpoint.info('wte.weight').shape).toEqual([vocabSize, n]);
    expect(m.checkpoint.info('wpe.weight').shape).toEqual([nPositions, n]);
    expect(m.checkpoint.info('h.1.attn.c_attn.weight').shape).toEqual([n, 3 * n]);
    expect(m.checkpoint.info('h.1.mlp.c_fc.weight').shape).toEqual([n, 4 * n]);
    expect(m.checkpoint.info('h.1.mlp.c_proj.weight').shape).toEqual([4 * n, n]);
    expect(m.checkpoint.info('h.0.attn.bias').shape).toEqual([1, 1, nPositions, nPositions]);
    expect(m.checkpoint.info('ln_f.bias').dtype).toBe('F16');
    const mask = await m.checkpoint.readTensor('h.0.attn.bias');
    expect([mask.data[0], mask.data[1], mask.data[nPositions], mask.data[nPositions + 1]]).toEqual([1, 0, 1, 1]);
    const w = await m.checkpoint.readTensor('h.0.attn.c_attn.weight');
    expect(w.nonFinite).toBe(0);
    // Values are f16-exact (round trip through f16 is the identity) and not all equal.
    expect(Array.from(f16BytesToF32(f32ToF16Bytes(w.data)).data)).toEqual(Array.from(w.data));
    expect(new Set(w.data).size).toBeGreaterThan(100);
    expect(m.warnings).toEqual([]);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    expect(makeTestModelFiles()['model.safetensors']).toEqual(files['model.safetensors']);
    expect(makeTestModelFiles({ seed: 2 })['model.safetensors']).not.toEqual(files['model.safetensors']);
  });

  it('loads from disk, single-file and sharded, to the same tensors', async () => {
    await writeModelFolder(join(tmp, 'single'), files);
    await writeModelFolder(join(tmp, 'sharded'), makeTestModelFiles({ shards: 3 }));
    const single = await loadModelFolder(nodeFolder(join(tmp, 'single')));
    const sharded = await loadModelFolder(nodeFolder(join(tmp, 'sharded')));
    expect(sharded.checkpoint.files).toHaveLength(3);
    expect(sharded.checkpoint.names().sort()).toEqual(single.checkpoint.names().sort());
    for (const name of ['wte.weight', 'h.1.mlp.c_proj.bias', 'ln_f.weight']) {
      expect(Array.from((await sharded.checkpoint.readTensor(name)).data)).toEqual(
        Array.from((await single.checkpoint.readTensor(name)).data),
      );
    }
    expect(sharded.checkpoint.info('ln_f.weight').file).toBe('model-00003-of-00003.safetensors');
  });

  it('loads without a tokenizer when not required', async () => {
    const { ['tokenizer.json']: _, ...rest } = files;
    const m = await loadModelFolder(memoryFolder('tiny', rest), { requireTokenizer: false });
    expect(m.tokenizer).toBeNull();
  });

  it('warns about NaN / Inf weights', async () => {
    const seen: string[] = [];
    const m = await loadModelFolder(memoryFolder('tiny', breakModelFiles(files, 'nan-weights')), {
      onWarning: (w) => seen.push(w),
    });
    const t = await m.checkpoint.readTensor('ln_f.weight');
    expect(t.nonFinite).toBe(3);
    expect(m.warnings).toEqual(seen);
    expect(seen[0]).toMatch(/^model\.safetensors: tensor "ln_f.weight" has 3 NaN\/Inf values of 32/);
  });
});

describe('broken model folders', () => {
  const expected: Record<Exclude<BrokenKind, 'nan-weights'>, [string, string, RegExp]> = {
    truncated: ['bad-file', 'model.safetensors', /past the end of the data section/],
    'empty-weights': ['bad-file', 'model.safetensors', /file is 0 bytes, too short/],
    'short-weights': ['bad-file', 'model.safetensors', /file is 7 bytes, too short/],
    'huge-header': ['bad-file', 'model.safetensors', /header length \d+ bytes is larger than the file/],
    'bad-header': ['bad-file', 'model.safetensors', /the header is not valid JSON/],
    'bad-dtype': ['bad-file', 'model.safetensors', /tensor "wte.weight" has unknown dtype "Q4"/],
    overlap: [
      'bad-file',
      'model.safetensors',
      /tensors "h.0.ln_1.weight" \[\d+, \d+\] and "h.0.ln_1.bias" \[\d+, \d+\] overlap/,
    ],
    'reversed-offsets': [
      'bad-file',
      'model.safetensors',
      /tensor "ln_f.weight" has data_offsets \[\d+, \d+\] reversed/,
    ],
    'shape-mismatch': [
      'bad-file',
      'model.safetensors',
      /tensor "ln_f.weight": shape \[33\] of F16 needs 66 bytes but data_offsets .* span 64/,
    ],
    'missing-config': ['not-found', 'config.json', /tiny\/config.json: file is missing/],
    'missing-weights': [
      'not-found',
      'model.safetensors',
      /no weights: neither model.safetensors nor model.safetensors.index.json exists/,
    ],
    'missing-tokenizer': ['not-found', 'tokenizer.json', /tiny\/tokenizer.json: file is missing/],
    'bad-config': ['bad-file', 'config.json', /field "n_embd" \(32\) must be divisible by "n_head" \(5\)/],
    'config-not-json': ['bad-file', 'config.json', /the file is not valid JSON/],
    'unknown-model-type': [
      'bad-file',
      'config.json',
      /unknown model_type "mamba" .*known model types: gpt2, llama, mdlm/,
    ],
    'bad-tokenizer': ['bad-file', 'tokenizer.json', /required field "model" is missing/],
    'tokenizer-not-json': ['bad-file', 'tokenizer.json', /the file is not valid JSON/],
  };

  it('covers every broken kind of make-test-model', () => {
    expect(Object.keys(expected).sort()).toEqual(BROKEN_KINDS.filter((k) => k !== 'nan-weights').sort());
  });

  for (const [kind, [code, file, problem]] of Object.entries(expected)) {
    it(`${kind}: ${code} naming ${file}`, () =>
      expectFileError(
        () => loadModelFolder(memoryFolder('tiny', breakModelFiles(files, kind as BrokenKind))),
        code as 'bad-file',
        file,
        problem,
      ));
  }

  it('a missing shard of a sharded checkpoint is not-found, naming it', async () => {
    const sharded = makeTestModelFiles({ shards: 2 });
    delete sharded['model-00002-of-00002.safetensors'];
    await expectFileError(
      () => loadModelFolder(memoryFolder('tiny', sharded)),
      'not-found',
      'model-00002-of-00002.safetensors',
      /shard listed in model.safetensors.index.json is missing/,
    );
  });

  it('a folder on disk that does not exist is not-found for config.json', () =>
    expectFileError(
      () => loadModelFolder(nodeFolder(join(tmp, 'nope'))),
      'not-found',
      'config.json',
      /file is missing/,
    ));
});

describe('scripts/make-test-model.ts command line', () => {
  const run = promisify(execFile);
  it('writes a folder, and a broken one on request', async () => {
    const script = join(import.meta.dirname, '../../scripts/make-test-model.ts');
    await run(process.execPath, ['--import', 'tsx', script, join(tmp, 'cli'), '--seed', '3']);
    expect((await loadModelFolder(nodeFolder(join(tmp, 'cli')))).config.modelType).toBe('gpt2');
    await run(process.execPath, ['--import', 'tsx', script, join(tmp, 'cli-bad'), '--broken', 'overlap']);
    await expectFileError(
      () => loadModelFolder(nodeFolder(join(tmp, 'cli-bad'))),
      'bad-file',
      'model.safetensors',
      /overlap/,
    );
    await expect(
      run(process.execPath, ['--import', 'tsx', script, join(tmp, 'x'), '--broken', 'nope']),
    ).rejects.toMatchObject({ code: 2 });
  });
});
