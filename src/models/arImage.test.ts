// The autoregressive image-token generator against golden logits from the PyTorch implementation
// (train/golden_image.py, teacher forcing): a tiny random model and the shipped emoji-ar; and the
// incremental path (one slot at a time through the KV cache) against the whole-sequence one.
import { describe, expect, it } from 'vitest';
import type { ArImageConfig } from '../formats/config.ts';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { SHIPPED_DIR } from '../formats/nodeResolve.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import { ArImage } from './arImage.ts';
import { readImageGolden } from './golden.ts';
import { expectLogitsClose } from './testing.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

async function load(gpu: Gpu, dir: string): Promise<ArImage> {
  const loaded = await loadModelFolder(nodeFolder(dir), { requireTokenizer: false });
  return ArImage.load(gpu, loaded.config as ArImageConfig, loaded.checkpoint);
}

async function checkGolden(model: ArImage, golden: string): Promise<void> {
  const gpu = await testGpu();
  const g = await readImageGolden(golden);
  for (const [s, tokens] of g.tokens.entries()) {
    const logits = model.forward(tokens, g.classes[s]); // [P·D, K]
    await expectLogitsClose(gpu, logits, g.logits[s], 1e-3);
    logits.release();
  }
}

describe('stepwise-ar vs PyTorch', () => {
  it('tiny random model: teacher-forced logits match (max abs error ≤ 1e-3), incl. the null class', async () => {
    const model = await load(await testGpu(), fixture('tiny-image-ar'));
    await checkGolden(model, fixture('tiny-image-ar'));
    model.dispose();
  });

  it('shipped emoji-ar: teacher-forced logits match (max abs error ≤ 1e-3)', async () => {
    const model = await load(await testGpu(), `${SHIPPED_DIR}/emoji-ar`);
    await checkGolden(model, fixture('emoji-ar'));
    model.dispose();
  });

  it('one slot at a time through the KV cache gives the whole-sequence logits', async () => {
    const gpu = await testGpu();
    const model = await load(gpu, fixture('tiny-image-ar'));
    const g = await readImageGolden(fixture('tiny-image-ar'));
    const tokens = g.tokens[0];
    const { numQuantizers: D, nPositions: P, codebookSize: K } = model.config;
    const cache = model.newCache();
    let max = 0;
    for (let p = 0; p < P; p++) {
      const h = model.hidden(tokens.slice(Math.max(0, p - 1) * D, p === 0 ? 0 : p * D), g.classes[0], cache); // [1, C]
      for (let d = 0; d < D; d++) {
        const l = model.depthLogits(h, tokens.slice(p * D, p * D + d), d); // [1, K]
        const got = (await gpu.read(l)) as Float32Array;
        l.release();
        for (let k = 0; k < K; k++) max = Math.max(max, Math.abs(got[k] - g.logits[0][(p * D + d) * K + k]));
      }
      h.release();
    }
    cache.release();
    expect(max).toBeLessThan(1e-3);
    model.dispose();
  });

  it('rejects slots past the grid, codes outside the codebook and unknown classes', async () => {
    const model = await load(await testGpu(), fixture('tiny-image-ar'));
    const cache = model.newCache();
    expect(() => model.hidden(new Int32Array(0), 4, cache)).toThrow(/class id 4/);
    model.hidden(new Int32Array(0), 0, cache).release();
    expect(() => model.hidden(Int32Array.of(3, 16), 0, cache)).toThrow(/code 16/);
    expect(() => model.hidden(new Int32Array(2 * 16), 0, cache)).toThrow(/past the grid/);
    cache.release();
    model.dispose();
  });
});
