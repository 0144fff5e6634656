// The memory estimate of a TiTok folder, from its config and tensor table only, against what loading
// it really holds; and the per-buffer check against the adapter's limits.
import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { testGpu } from '../gpu/testing.ts';
import { ImageBert } from './imageBert.ts';
import { checkTitokFits, titokMemory } from './titokMemory.ts';
import { TitokTokenizer } from './titokTokenizer.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const open = (name: string) => loadModelFolder(nodeFolder(FIXTURES + name), { requireTokenizer: false });
const limits = (bytes: number) => ({ maxBufferSize: 1 << 30, maxStorageBufferBindingSize: bytes });

describe('TiTok memory estimate', () => {
  it('bounds what the tokenizer holds once loaded, with and without its encoder, to within 1 %', async () => {
    const gpu = await testGpu();
    const model = await open('tiny-titok');
    for (const encoder of [true, false]) {
      const estimate = titokMemory(model, { encoder });
      const t = await TitokTokenizer.load(gpu, model, { encoder });
      expect(estimate.weightBytes).toBeGreaterThanOrEqual(t.weightBytes);
      expect(estimate.weightBytes).toBeLessThanOrEqual(t.weightBytes * 1.01);
      t.dispose();
    }
    expect(titokMemory(model).weightBytes).toBe(725391 * 4); // every tensor of the tiny TiTok
  });

  it("is exactly the generator's weights", async () => {
    const gpu = await testGpu();
    const model = await open('tiny-titok-generator');
    const g = await ImageBert.load(gpu, model);
    // position and token-type embeddings are summed on load: (33 + 2) · 32 values become 33 · 32
    expect(titokMemory(model).weightBytes).toBe(g.weightBytes + 2 * 32 * 4);
    g.dispose();
  });

  it("names the largest weight and the pixel decoder's full-size feature map as the largest activation", async () => {
    const m = titokMemory(await open('tiny-titok'));
    expect(m.largestWeight).toEqual({ name: 'pixel_decoder.mid.0.conv1.weight', bytes: 64 * 64 * 9 * 4 });
    // 32 channels × 32² pixels
    expect(m.largestActivation).toEqual({ name: 'pixel decoder level 1 upsampled', bytes: 32 * 32 * 32 * 4 });
  });

  it('refuses, naming the buffer, an adapter whose binding limit is below the largest weight or activation', async () => {
    const tokenizer = await open('tiny-titok');
    const m = titokMemory(tokenizer);
    expect(checkTitokFits(tokenizer, limits(Math.max(m.largestWeight.bytes, m.largestActivation.bytes)))).toEqual(m);
    expect(() => checkTitokFits(tokenizer, limits(m.largestWeight.bytes - 4))).toThrow(
      expect.objectContaining({
        code: 'bad-input',
        message: expect.stringMatching(
          /tiny-titok: the tensor "pixel_decoder.mid.0.conv1.weight" needs 0.1 MiB as f32, more than this GPU allows in one buffer/,
        ),
      }),
    );
    // The generator's largest buffer is an activation: 33 positions × 80 MLP channels.
    const generator = await open('tiny-titok-generator');
    const g = titokMemory(generator);
    expect(g.largestActivation).toEqual({ name: 'generator MLP', bytes: 33 * 80 * 4 });
    expect(g.largestWeight).toEqual({ name: 'model.encoder.layer.0.intermediate.dense.weight', bytes: 80 * 32 * 4 });
    expect(() => checkTitokFits(generator, limits(33 * 80 * 4 - 4))).toThrow(/the activation "generator MLP" needs/);
  });
});
