// TiTok's generator (ImageBert) against the vendored PyTorch reference (train/titok_golden.py): the
// conditional, unconditional and guided logits of the first two steps of a generate() run.
import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { testGpu } from '../gpu/testing.ts';
import { readTitokGeneratorGolden } from './golden.ts';
import { ImageBert } from './imageBert.ts';
import { loadModel } from './registry.ts';
import { expectLogitsClose } from './testing.ts';

const DIR = new URL('./fixtures/tiny-titok-generator/', import.meta.url).pathname;

async function load(): Promise<ImageBert> {
  return ImageBert.load(await testGpu(), await loadModelFolder(nodeFolder(DIR), { requireTokenizer: false }));
}

describe('TiTok generator (ImageBert, tiny, published names) vs PyTorch', () => {
  it('is what the registry builds for the folder', async () => {
    const gpu = await testGpu();
    const m = await loadModel(gpu, await loadModelFolder(nodeFolder(DIR), { requireTokenizer: false }));
    expect(m.kind).toBe('titok-generator');
    if (m.kind !== 'titok-generator') return;
    expect([m.lm.sequenceLength, m.lm.maskTokenId, m.lm.numClasses, m.lm.nullClass]).toEqual([32, 64, 10, 10]);
    m.lm.dispose();
  });

  it('gives the conditional, unconditional and guided logits of two steps with guidance (≤ 1e-3)', async () => {
    const gpu = await testGpu();
    const model = await load();
    const g = await readTitokGeneratorGolden(DIR);
    expect(g.ids[0].every((id) => id === model.maskTokenId)).toBe(true); // step 0: everything masked
    expect(g.ids[1].some((id) => id !== model.maskTokenId)).toBe(true); // step 1: some tokens fixed
    for (let s = 0; s < 2; s++) {
      const cond = model.forward(g.ids[s], g.classId); // [L, K]
      expect(cond.shape).toEqual([32, 64]);
      const uncond = model.forward(g.ids[s], model.nullClass);
      const c = (await gpu.read(cond)) as Float32Array;
      const u = (await gpu.read(uncond)) as Float32Array;
      await expectLogitsClose(gpu, cond, g.cond[s], 1e-3);
      await expectLogitsClose(gpu, uncond, g.uncond[s], 1e-3);
      // cond + (cond − uncond) · scale, the reference's constant-schedule guidance
      const guided = c.map((v, i) => v + (v - u[i]) * g.scales[s]);
      const worst = guided.reduce((m, v, i) => Math.max(m, Math.abs(v - g.guided[s][i])), 0);
      expect(worst).toBeLessThanOrEqual(1e-3 * (1 + g.scales[s]));
      cond.release();
      uncond.release();
    }
    model.dispose();
  });

  it('rejects bad tokens and classes with bad-input errors', async () => {
    const model = await load();
    const L = model.sequenceLength;
    const bad = (f: () => unknown, message: RegExp) =>
      expect(f).toThrow(expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(message) }));
    bad(() => model.forward(new Int32Array(L - 1), 0), /takes 32 image tokens, got 31/);
    const t = new Int32Array(L);
    t[3] = 65;
    bad(() => model.forward(t, 0), /token 3 is 65; ids are codes 0 … 63 or 64 \(masked\)/);
    bad(() => model.forward(new Int32Array(L), 11), /class id 11 is outside 0 … 10 \(10 = no class/);
    bad(() => model.forward(new Int32Array(L), 1.5), /class id 1.5/);
    model.dispose();
  });
});
