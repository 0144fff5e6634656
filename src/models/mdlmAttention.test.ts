// MDLM's forward with an attention setting or token merging, on the tiny golden model and the shipped
// brown-mdlm: dense options are the plain forward bit for bit; block top-K keeping every block is
// dense within 1e-4 on the logits; LLSA and token merging deviate by a small finite amount; a
// sequence is padded with [MASK] to the block hierarchy; bad settings are 'bad-input'.
import { beforeAll, describe, expect, it } from 'vitest';
import type { MdlmConfig } from '../formats/config.ts';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { SHIPPED_DIR } from '../formats/nodeResolve.ts';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import { Rng } from '../shared/rng.ts';
import type { ModelAttention } from './attentionMode.ts';
import { Mdlm, type MdlmForwardOptions } from './mdlm.ts';

const TINY = new URL('./fixtures/tiny-mdlm/', import.meta.url).pathname;
let gpu: Gpu;
let tiny: Mdlm;
let brown: Mdlm;

async function load(dir: string, requireTokenizer: boolean): Promise<Mdlm> {
  const loaded = await loadModelFolder(nodeFolder(dir), { requireTokenizer });
  return Mdlm.load(gpu, loaded.config as MdlmConfig, loaded.checkpoint);
}

beforeAll(async () => {
  gpu = await testGpu();
  tiny = await load(TINY, false);
  brown = await load(`${SHIPPED_DIR}/brown-mdlm`, true);
});

/** Some text tokens, then masks: what a diffusion step sees. */
function sequence(model: Mdlm, n: number, seed: number, text = 0.4): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, (_, i) => (i < n * text ? rng.int(model.maskTokenId) : model.maskTokenId));
}

async function logits(model: Mdlm, ids: Int32Array, options: MdlmForwardOptions = {}): Promise<Float32Array> {
  const t = model.forward(ids, 0.5, options); // [T, V]
  const out = (await gpu.read(t)) as Float32Array;
  t.release();
  return out;
}

function deviation(got: Float32Array, want: Float32Array): { relL2: number; maxAbs: number } {
  let diff = 0;
  let norm = 0;
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) {
    diff += (got[i] - want[i]) ** 2;
    norm += want[i] ** 2;
    maxAbs = Math.max(maxAbs, Math.abs(got[i] - want[i]));
  }
  return { relL2: Math.sqrt(diff / norm), maxAbs };
}

describe('MDLM forward with an attention setting', () => {
  it('dense attention and ratio 0, given explicitly, are the plain forward bit for bit', async () => {
    const ids = sequence(tiny, 40, 1);
    const plain = await logits(tiny, ids);
    const dense = await logits(tiny, ids, { attention: { kind: 'dense' }, mergeRatio: 0 });
    expect(Array.from(dense)).toEqual(Array.from(plain));
  });

  it.each([
    ['tiny-mdlm, N=48, B=16, K=3', () => tiny, 48, { kind: 'block-topk', blockSize: 16, topK: 3 }],
    ['brown-mdlm, N=64, B=16, K=4', () => brown, 64, { kind: 'block-topk', blockSize: 16, topK: 4 }],
    ['brown-mdlm, N=64, B=8, K=100 (clamped)', () => brown, 64, { kind: 'block-topk', blockSize: 8, topK: 100 }],
  ] as const)(
    'block top-K with K·B ≥ N equals dense within 1e-4 on the logits: %s',
    async (_n, model, n, attention) => {
      const ids = sequence(model(), n, n);
      const d = deviation(await logits(model(), ids, { attention }), await logits(model(), ids));
      expect(d.maxAbs).toBeLessThanOrEqual(1e-4);
    },
  );

  it.each([
    ['LLSA, B=16, K=4, L=1', { attention: { kind: 'llsa', blockSize: 16, topK: 4, levels: 1 } }, 0.05],
    ['LLSA, B=4, K=4, L=2', { attention: { kind: 'llsa', blockSize: 4, topK: 4, levels: 2 } }, 0.05],
    ['block top-K, B=16, K=2', { attention: { kind: 'block-topk', blockSize: 16, topK: 2 } }, 0.2],
    ['token merging 0.5', { mergeRatio: 0.5 }, 0.1],
  ] as Array<[string, ModelAttention, number]>)(
    'brown-mdlm, 128 tokens, %s: runs and deviates by a small finite amount',
    async (_name, options, bound) => {
      const ids = sequence(brown, 128, 5);
      const d = deviation(await logits(brown, ids, options), await logits(brown, ids));
      expect(Number.isFinite(d.relL2)).toBe(true);
      expect(d.relL2).toBeGreaterThan(0);
      expect(d.relL2).toBeLessThan(bound);
    },
  );

  it('pads a sequence that is not a multiple of B^L with [MASK] and drops the padding', async () => {
    const ids = sequence(brown, 40, 2);
    expect(brown.paddedLength(40, { attention: { kind: 'block-topk', blockSize: 16, topK: 3 } })).toBe(48);
    const got = await logits(brown, ids, { attention: { kind: 'block-topk', blockSize: 16, topK: 3 } }); // [40, V]
    expect(got.length).toBe(40 * brown.vocabSize);
    // Keeping every block, it is the dense forward of the padded sequence, cut to the first 40 rows.
    const padded = Int32Array.from({ length: 48 }, (_, i) => (i < 40 ? ids[i] : brown.maskTokenId));
    const want = (await logits(brown, padded)).subarray(0, 40 * brown.vocabSize);
    expect(deviation(got, want).maxAbs).toBeLessThanOrEqual(1e-4);
  });

  it('bad settings are bad input: invalid values, a cache, and padding past the context', () => {
    const ids = sequence(tiny, 32, 3);
    const badInput = (re: RegExp) => expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(re) });
    expect(() => tiny.forward(ids, 0, { attention: { kind: 'llsa', blockSize: 6, topK: 2, levels: 1 } })).toThrow(
      badInput(/power of two/),
    );
    expect(() => tiny.forward(ids, 0, { mergeRatio: 0.9 })).toThrow(badInput(/0\.75; got 0\.9/));
    const cache = tiny.newCache(32);
    expect(() => tiny.forward(ids, 0, { cache, mergeRatio: 0.5 })).toThrow(badInput(/dense attention only/));
    cache.release();
    // 32 tokens pad to 64 for B=64, more than the tiny model's 48 positions.
    expect(() => tiny.forward(ids, 0, { attention: { kind: 'block-topk', blockSize: 64, topK: 1 } })).toThrow(
      badInput(/more than the model's context of 48/),
    );
  });
});
