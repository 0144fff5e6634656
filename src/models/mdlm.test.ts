// MDLM's DDiT against golden logits from the PyTorch implementation (train/mdlm.py): a tiny random
// model with time conditioning on, under the checkpoint's "backbone." names and without the prefix.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../formats/config.ts';
import { loadModelFolder, memoryFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { SHIPPED_DIR } from '../formats/nodeResolve.ts';
import { openSafetensors } from '../formats/safetensors.ts';
import { writeSafetensors } from '../formats/safetensorsWriter.ts';
import { bytesSource } from '../formats/byteSource.ts';
import { testGpu } from '../gpu/testing.ts';
import { Mdlm } from './mdlm.ts';
import { expectLogitsClose } from './testing.ts';

const DIR = new URL('./fixtures/tiny-mdlm/', import.meta.url).pathname;
const BROWN_GOLDEN = new URL('./fixtures/brown-mdlm/', import.meta.url).pathname;

async function golden(dir = DIR) {
  const f = await openSafetensors(bytesSource('golden.safetensors', readFileSync(dir + 'golden.safetensors')));
  const tokens = (await f.readTensor('tokens')).data as Int32Array;
  const sigma = (await f.readTensor('sigma')).data as Float32Array;
  const logits = (await f.readTensor('logits')).data as Float32Array;
  const [S, T] = f.info('tokens').shape;
  const V = f.info('logits').shape[2];
  return Array.from({ length: S }, (_, s) => ({
    ids: tokens.slice(s * T, (s + 1) * T),
    sigma: sigma[s],
    logits: logits.slice(s * T * V, (s + 1) * T * V),
  }));
}

/** The fixture with the "backbone." prefix removed from every tensor name. */
async function unprefixed() {
  const f = await openSafetensors(bytesSource('model.safetensors', readFileSync(DIR + 'model.safetensors')));
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const name of f.names()) {
    const t = await f.readTensor(name);
    tensors[name.replace(/^backbone\./, '')] = { dtype: 'F32', shape: t.shape, data: t.data as Float32Array };
  }
  return memoryFolder('tiny-mdlm-unprefixed', {
    'config.json': readFileSync(DIR + 'config.json'),
    'model.safetensors': writeSafetensors(tensors),
  });
}

describe.each([
  ['backbone.-prefixed names', async () => nodeFolder(DIR)],
  ['unprefixed names', unprefixed],
])('tiny MDLM (time conditioning on), %s', (_name, folder) => {
  it('matches PyTorch logits at every position, masks included (max abs error ≤ 1e-3)', async () => {
    const gpu = await testGpu();
    const loaded = await loadModelFolder(await folder(), { requireTokenizer: false });
    expect(loaded.config.modelType).toBe('mdlm');
    const model = await Mdlm.load(
      gpu,
      loaded.config as Extract<typeof loaded.config, { modelType: 'mdlm' }>,
      loaded.checkpoint,
    );
    expect(model.maskTokenId).toBe(96);
    for (const g of await golden()) {
      const logits = model.forward(g.ids, g.sigma); // [T, V]
      await expectLogitsClose(gpu, logits, g.logits, 1e-3);
      logits.release();
    }
    model.dispose();
  });
});

describe('brown-mdlm (shipped, f16, time conditioning off) vs PyTorch', () => {
  it('matches the golden logits at every position, masks included (max abs error ≤ 1e-3)', async () => {
    const gpu = await testGpu();
    const loaded = await loadModelFolder(nodeFolder(`${SHIPPED_DIR}/brown-mdlm`));
    const model = await Mdlm.load(
      gpu,
      loaded.config as Extract<typeof loaded.config, { modelType: 'mdlm' }>,
      loaded.checkpoint,
    );
    expect(model.timeConditioned).toBe(false);
    expect(model.maskTokenId).toBe(4095);
    for (const g of await golden(BROWN_GOLDEN)) {
      const logits = model.forward(g.ids, g.sigma); // [T, V]; σ is ignored without time conditioning
      await expectLogitsClose(gpu, logits, g.logits, 1e-3);
      logits.release();
    }
    model.dispose();
  });
});

describe('mdlm config', () => {
  it('takes the mask token from stepwise.mask_token_id when given', () => {
    const raw = JSON.parse(readFileSync(DIR + 'config.json', 'utf8'));
    raw.stepwise = { mask_token_id: 5 };
    const c = parseModelConfig(JSON.stringify(raw));
    expect(c.modelType === 'mdlm' && c.maskTokenId).toBe(5);
  });
});

describe('MDLM partial forward over a key/value cache', () => {
  it('computing a subset of rows over a fresh cache gives the full forward’s logits for those rows', async () => {
    const gpu = await testGpu();
    const loaded = await loadModelFolder(nodeFolder(DIR), { requireTokenizer: false });
    const model = await Mdlm.load(
      gpu,
      loaded.config as Extract<typeof loaded.config, { modelType: 'mdlm' }>,
      loaded.checkpoint,
    );
    const [g] = await golden();
    const V = model.vocabSize;
    const cache = model.newCache(g.ids.length);
    model.forward(g.ids, g.sigma, { cache }).release(); // fills the cache
    const rows = [0, 1, 2, 7, 8, 20, 39];
    const part = model.forward(g.ids, g.sigma, { cache, rows }); // [R, V]
    const want = new Float32Array(rows.length * V);
    rows.forEach((j, r) => want.set(g.logits.subarray(j * V, (j + 1) * V), r * V));
    await expectLogitsClose(gpu, part, want, 1e-3);
    part.release();
    expect(() => model.forward(g.ids, g.sigma, { rows })).toThrow(/needs a filled cache/);
    cache.release();
    model.dispose();
  });
});
