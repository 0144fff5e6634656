// Llama against golden logits from the PyTorch reference (train/golden_text.py): a tiny random model
// with grouped-query attention, an untied head and head_dim ≠ hidden/heads, stored as F32 and BF16.
import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { testGpu } from '../gpu/testing.ts';
import type { CausalLm } from './causalLm.ts';
import { readGolden } from './golden.ts';
import { loadCausalLm } from './registry.ts';
import { expectLogitsClose, greedyDecode } from './testing.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;

describe.each(['tiny-llama', 'tiny-llama-bf16'])('%s vs PyTorch', (name) => {
  let model: CausalLm;

  it('loads the Hugging Face tensor names', async () => {
    const gpu = await testGpu();
    const loaded = await loadModelFolder(nodeFolder(FIXTURES + name), { requireTokenizer: false });
    model = await loadCausalLm(gpu, loaded);
    expect(model.architecture).toBe('llama');
  });

  it('matches the golden logits at every position (max abs error ≤ 1e-3)', async () => {
    const gpu = await testGpu();
    const golden = await readGolden(FIXTURES + name);
    for (const [s, ids] of golden.tokens.entries()) {
      const cache = model.newCache(64);
      const logits = model.forward(ids, cache); // [T, V]
      await expectLogitsClose(gpu, logits, golden.logits[s], 1e-3);
      logits.release();
      cache.release();
    }
  });

  it('reproduces the greedy continuation with the KV cache, one token at a time', async () => {
    const gpu = await testGpu();
    const golden = await readGolden(FIXTURES + name);
    for (const [s, ids] of golden.tokens.entries()) {
      expect(await greedyDecode(gpu, model, ids, golden.greedy[s].length)).toEqual([...golden.greedy[s]]);
    }
  });
});
