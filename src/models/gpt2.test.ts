// brown-gpt2 (the shipped demo model, f16 weights in Hugging Face GPT-2 layout) against golden logits
// and greedy continuations from the PyTorch implementation (train/golden_text.py gpt2).
import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { SHIPPED_DIR } from '../formats/nodeResolve.ts';
import { testGpu } from '../gpu/testing.ts';
import type { CausalLm } from './causalLm.ts';
import { readGolden } from './golden.ts';
import { loadCausalLm } from './registry.ts';
import { expectLogitsClose, greedyDecode } from './testing.ts';

const GOLDEN = new URL('./fixtures/brown-gpt2', import.meta.url).pathname;

describe('brown-gpt2 vs PyTorch', () => {
  let model: CausalLm;

  it('loads the shipped folder with its Hugging Face GPT-2 names', async () => {
    const gpu = await testGpu();
    model = await loadCausalLm(gpu, await loadModelFolder(nodeFolder(`${SHIPPED_DIR}/brown-gpt2`)));
    expect(model.architecture).toBe('gpt2');
    expect(model.vocabSize).toBe(4096);
  });

  it('matches the golden logits at every position (max abs error ≤ 1e-3)', async () => {
    const gpu = await testGpu();
    const golden = await readGolden(GOLDEN);
    for (const [s, ids] of golden.tokens.entries()) {
      const cache = model.newCache(ids.length);
      const logits = model.forward(ids, cache); // [T, V]
      await expectLogitsClose(gpu, logits, golden.logits[s], 1e-3);
      logits.release();
      cache.release();
    }
  });

  it('reproduces the greedy continuations through the KV cache', async () => {
    const gpu = await testGpu();
    const golden = await readGolden(GOLDEN);
    for (const [s, ids] of golden.tokens.entries()) {
      expect(await greedyDecode(gpu, model, ids, golden.greedy[s].length)).toEqual([...golden.greedy[s]]);
    }
  });
});
