// The MaskGIT image-token generator against golden logits from the PyTorch implementation
// (train/golden_image.py): a tiny random model, and the shipped emoji-maskgit; plus the sparse
// attention and token-merging settings applied to it without retraining.
import { describe, expect, it } from 'vitest';
import type { MaskgitConfig } from '../formats/config.ts';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { SHIPPED_DIR } from '../formats/nodeResolve.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import { readImageGolden } from './golden.ts';
import { Maskgit } from './maskgit.ts';
import { expectLogitsClose } from './testing.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

async function load(gpu: Gpu, dir: string): Promise<Maskgit> {
  const loaded = await loadModelFolder(nodeFolder(dir), { requireTokenizer: false });
  return Maskgit.load(gpu, loaded.config as MaskgitConfig, loaded.checkpoint);
}

async function checkGolden(model: Maskgit, golden: string, tol: number): Promise<number> {
  const gpu = await testGpu();
  const g = await readImageGolden(golden);
  let worst = 0;
  for (const [s, tokens] of g.tokens.entries()) {
    const logits = model.forward(tokens, g.classes[s]); // [L, K]
    worst = Math.max(worst, await expectLogitsClose(gpu, logits, g.logits[s], tol));
    logits.release();
  }
  return worst;
}

describe('stepwise-maskgit vs PyTorch', () => {
  it('tiny random model: logits match (max abs error ≤ 1e-3), incl. a fully masked grid and the null class', async () => {
    const model = await load(await testGpu(), fixture('tiny-maskgit'));
    expect(model.sequenceLength).toBe(32);
    await checkGolden(model, fixture('tiny-maskgit'), 1e-3);
    model.dispose();
  });

  it('shipped emoji-maskgit: logits match (max abs error ≤ 1e-3)', async () => {
    const model = await load(await testGpu(), `${SHIPPED_DIR}/emoji-maskgit`);
    expect(model.sequenceLength).toBe(256);
    await checkGolden(model, fixture('emoji-maskgit'), 1e-3);
    model.dispose();
  });

  it('rejects tokens of the wrong length, ids past the mask id and unknown classes', async () => {
    const model = await load(await testGpu(), fixture('tiny-maskgit'));
    const ok = new Int32Array(32).fill(16);
    expect(() => model.forward(new Int32Array(31), 0)).toThrow(/takes 32 tokens/);
    expect(() =>
      model.forward(
        Int32Array.from(ok, (_, i) => (i === 3 ? 17 : 16)),
        0,
      ),
    ).toThrow(/token 3 is 17/);
    expect(() => model.forward(ok, 4)).toThrow(/class id 4/);
    model.dispose();
  });

  it('block top-K keeping every block equals dense; ToMe 0.5 and LLSA deviate by a finite amount', async () => {
    const gpu = await testGpu();
    const model = await load(gpu, fixture('tiny-maskgit'));
    const g = await readImageGolden(fixture('tiny-maskgit'));
    const tokens = g.tokens[1];
    const read = async (t: ReturnType<Maskgit['forward']>) => {
      const a = (await gpu.read(t)) as Float32Array;
      t.release();
      return a;
    };
    const dense = await read(model.forward(tokens, 1));
    const all = await read(model.forward(tokens, 1, { attention: { kind: 'block-topk', blockSize: 4, topK: 4 } }));
    let max = 0;
    for (let i = 0; i < dense.length; i++) max = Math.max(max, Math.abs(all[i] - dense[i]));
    expect(max).toBeLessThan(1e-4);
    for (const options of [
      { mergeRatio: 0.5 },
      { attention: { kind: 'llsa' as const, blockSize: 2, topK: 2, levels: 2 } },
    ]) {
      const other = await read(model.forward(tokens, 1, options));
      let diff = 0;
      for (let i = 0; i < dense.length; i++) diff += (other[i] - dense[i]) ** 2;
      expect(Number.isFinite(diff)).toBe(true);
      expect(diff).toBeGreaterThan(0);
    }
    model.dispose();
  });
});
