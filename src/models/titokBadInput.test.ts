// Bad TiTok input: a folder missing a pixel-decoder tensor, a generator whose vocabulary does not
// match the tokenizer's codebook, the wrong half of TiTok, weights that are neither. Each gives one
// message naming the file and the field or tensor, and a failed load leaves no GPU buffer behind.
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { loadModelFolder, memoryFolder, type LoadedModel } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { openSafetensors } from '../formats/safetensors.ts';
import { writeSafetensors, type WritableTensor } from '../formats/safetensorsWriter.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { ImageBert } from './imageBert.ts';
import { loadModel } from './registry.ts';
import { checkTitokPair, titokRole } from './titokRole.ts';
import { TitokTokenizer } from './titokTokenizer.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const TOKENIZER = `${FIXTURES}tiny-titok`;
const GENERATOR = `${FIXTURES}tiny-titok-generator`;

/** A fixture folder's files with the checkpoint rewritten by `edit` (tensor name → tensor, or delete)
 *  and the config by `config`. */
async function variant(
  dir: string,
  edit: (tensors: Record<string, WritableTensor>) => void,
  config: (c: Record<string, unknown>) => void = () => undefined,
): Promise<LoadedModel> {
  const src = await nodeFolder(dir).open('model.safetensors');
  if (!src) throw new Error(`${dir}/model.safetensors is missing`);
  const f = await openSafetensors(src);
  const tensors: Record<string, WritableTensor> = {};
  for (const name of f.names()) {
    const t = await f.readTensor(name);
    tensors[name] = { dtype: 'F32', shape: [...t.shape], data: t.data as Float32Array };
  }
  edit(tensors);
  const cfg = JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')) as Record<string, unknown>;
  config(cfg);
  const files = {
    'config.json': new TextEncoder().encode(JSON.stringify(cfg)),
    'model.safetensors': writeSafetensors(tensors),
  };
  return loadModelFolder(memoryFolder(`variant-of-${dir.split('/').pop()}`, files), { requireTokenizer: false });
}

/** Counts the persistent (weight) buffers `gpu` creates while `run` runs, and which are still alive. */
async function trackWeights(gpu: Gpu, run: () => Promise<unknown>): Promise<{ created: number; alive: Set<Tensor> }> {
  const alive = new Set<Tensor>();
  let created = 0;
  const original = gpu.persistent.bind(gpu);
  const spy = vi.spyOn(gpu, 'persistent').mockImplementation((data, shape, label) => {
    const t = original(data, shape, label);
    created++;
    alive.add(t);
    return {
      ...t,
      release: () => {
        alive.delete(t);
        t.release();
      },
    };
  });
  try {
    await run().catch(() => undefined);
  } finally {
    spy.mockRestore();
  }
  return { created, alive };
}

describe('TiTok bad input', () => {
  it('a tokenizer missing a pixel-decoder tensor: bad-file naming the file and the tensor, no weights left behind', async () => {
    const gpu = await testGpu();
    const model = await variant(TOKENIZER, (t) => delete t['pixel_decoder.conv_out.weight']);
    await expect(TitokTokenizer.load(gpu, model)).rejects.toMatchObject({
      code: 'bad-file',
      message: expect.stringMatching(
        /^model\.safetensors: no tensor "pixel_decoder\.conv_out\.weight", which the TiTok tokenizer of variant-of-tiny-titok needs$/,
      ),
    });
    const { created, alive } = await trackWeights(gpu, () => TitokTokenizer.load(gpu, model));
    expect(created).toBeGreaterThan(50); // most of the decoder was uploaded before the missing tensor
    expect(alive.size).toBe(0);
  });

  it('a misshapen tensor in the generator: bad-file naming both shapes, no weights left behind', async () => {
    const gpu = await testGpu();
    const model = await variant(GENERATOR, (t) => {
      t['model.lm_head.weight'] = { dtype: 'F32', shape: [63, 32], data: new Float32Array(63 * 32) };
    });
    await expect(ImageBert.load(gpu, model)).rejects.toMatchObject({
      code: 'bad-file',
      message: expect.stringMatching(
        /model\.safetensors: tensor "model\.lm_head\.weight" has shape \[63, 32\], but the .* needs \[64, 32\]/,
      ),
    });
    const { created, alive } = await trackWeights(gpu, () => ImageBert.load(gpu, model));
    expect(created).toBeGreaterThan(20);
    expect(alive.size).toBe(0);
  });

  it('a successful load keeps its weights until dispose, then frees every one', async () => {
    const gpu = await testGpu();
    const model = await loadModelFolder(nodeFolder(TOKENIZER), { requireTokenizer: false });
    let tokenizer: TitokTokenizer | null = null;
    const { created, alive } = await trackWeights(gpu, async () => (tokenizer = await TitokTokenizer.load(gpu, model)));
    expect(created).toBeGreaterThan(100);
    expect(alive.size).toBe(created);
    tokenizer!.dispose();
    expect(alive.size).toBe(0);
  });

  it('a generator whose vocabulary is not the tokenizer codebook: one message naming both files and the field', async () => {
    const tokenizer = await variant(
      TOKENIZER,
      (t) => {
        t['quantize.embedding.weight'] = { dtype: 'F32', shape: [128, 12], data: new Float32Array(128 * 12) };
      },
      (c) => (((c.model as Record<string, unknown>).vq_model as Record<string, unknown>).codebook_size = 128),
    );
    const generator = await loadModelFolder(nodeFolder(GENERATOR), { requireTokenizer: false });
    expect(() => checkTitokPair(tokenizer, generator)).toThrow(
      expect.objectContaining({
        code: 'bad-input',
        message: `${GENERATOR}/config.json: field "model.vq_model.codebook_size" is 64, but the tokenizer's codebook has 128 entries (variant-of-tiny-titok/config.json, the same field): the generator's vocabulary does not match`,
      }),
    );
    // the matching pair passes
    checkTitokPair(await loadModelFolder(nodeFolder(TOKENIZER), { requireTokenizer: false }), generator);
  });

  it('a generator with another number of tokens per image is refused the same way', async () => {
    const generator = await variant(
      GENERATOR,
      () => undefined,
      (c) => {
        const g = (c.model as Record<string, Record<string, unknown>>).generator;
        g.image_seq_len = 16;
      },
    );
    const tokenizer = await loadModelFolder(nodeFolder(TOKENIZER), { requireTokenizer: false });
    expect(() => checkTitokPair(tokenizer, generator)).toThrow(
      /variant-of-tiny-titok-generator\/config.json: field "model.generator.image_seq_len" is 16, but the tokenizer takes 32 tokens per image/,
    );
  });

  it('the two halves swapped: each loader and the pair check say which half the folder holds', async () => {
    const gpu = await testGpu();
    const tokenizer = await loadModelFolder(nodeFolder(TOKENIZER), { requireTokenizer: false });
    const generator = await loadModelFolder(nodeFolder(GENERATOR), { requireTokenizer: false });
    expect([titokRole(tokenizer), titokRole(generator)]).toEqual(['tokenizer', 'generator']);
    await expect(TitokTokenizer.load(gpu, generator)).rejects.toThrow(
      /holds a TiTok generator \(ImageBert\), not the tokenizer/,
    );
    await expect(ImageBert.load(gpu, tokenizer)).rejects.toThrow(/holds a TiTok tokenizer, not the generator/);
    expect(() => checkTitokPair(generator, tokenizer)).toThrow(/holds a TiTok generator, not the tokenizer/);
  });

  it('weights that are neither half, or a UViT generator: bad-file naming the checkpoint', async () => {
    const gpu = await testGpu();
    const neither = await variant(TOKENIZER, (t) => {
      for (const k of Object.keys(t)) if (k.startsWith('decoder.') || k.startsWith('pixel_decoder.')) delete t[k];
    });
    await expect(loadModel(gpu, neither)).rejects.toMatchObject({
      code: 'bad-file',
      message: expect.stringMatching(
        /variant-of-tiny-titok\/model.safetensors: has neither a TiTok tokenizer's tensors/,
      ),
    });
    const uvit = await variant(GENERATOR, (t) => {
      for (const k of Object.keys(t)) delete t[k];
      t['embeddings.weight'] = { dtype: 'F32', shape: [76, 32], data: new Float32Array(76 * 32) };
      t['lm_head.weight'] = { dtype: 'F32', shape: [64, 32], data: new Float32Array(64 * 32) };
    });
    await expect(loadModel(gpu, uvit)).rejects.toThrow(
      /holds a UViT generator \(UViTBert, TiTok-S-128\), which is not supported yet/,
    );
  });
});
