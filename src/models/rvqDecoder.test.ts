// emoji-rvq's decoder (the shipped image tokenizer, f16 weights) against PyTorch decodes of fixed token
// grids (train/emoji_rvq_golden.py): every depth, fewer depths, and grids with masked codes.
import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { SHIPPED_DIR } from '../formats/nodeResolve.ts';
import { openSafetensors } from '../formats/safetensors.ts';
import { testGpu } from '../gpu/testing.ts';
import { loadModel } from './registry.ts';
import { RvqDecoder, toRgba } from './rvqDecoder.ts';
import { expectLogitsClose } from './testing.ts';

const MODEL = `${SHIPPED_DIR}/emoji-rvq`;
const GOLDEN = new URL('./fixtures/emoji-rvq/', import.meta.url).pathname;
const TINY_MDLM = new URL('./fixtures/tiny-mdlm/', import.meta.url).pathname;

async function golden() {
  const src = await nodeFolder(GOLDEN).open('golden.safetensors');
  if (!src) throw new Error(`${GOLDEN}golden.safetensors is missing`);
  const f = await openSafetensors(src);
  const codes = (await f.readTensor('codes')).data as Int32Array; // [S, P, D]
  const depths = (await f.readTensor('depths')).data as Int32Array; // [S]
  const images = (await f.readTensor('images')).data as Float32Array; // [S, 3, H, W]
  const [S, P, D] = f.info('codes').shape;
  const n = images.length / S;
  return Array.from({ length: S }, (_, s) => ({
    codes: codes.slice(s * P * D, (s + 1) * P * D),
    depths: depths[s],
    image: images.slice(s * n, (s + 1) * n),
  }));
}

async function loadDecoder(): Promise<RvqDecoder> {
  return RvqDecoder.load(await testGpu(), await loadModelFolder(nodeFolder(MODEL), { requireTokenizer: false }));
}

describe('emoji-rvq decoder (shipped, f16) vs PyTorch', () => {
  it('decodes the golden grids, masked codes and fewer depths included (max abs error ≤ 1e-3)', async () => {
    const gpu = await testGpu();
    const decoder = await loadDecoder();
    const S = decoder.imageSize;
    const cases = await golden();
    expect(cases.map((c) => c.depths)).toContain(1);
    expect(cases.some((c) => c.codes.includes(decoder.codebookSize))).toBe(true);
    for (const g of cases) {
      const rgb = decoder.decode(g.codes, g.depths); // [3, S, S]
      expect(rgb.shape).toEqual([3, S, S]);
      await expectLogitsClose(gpu, rgb, g.image, 1e-3);
      rgb.release();
    }
    decoder.dispose();
  });

  it('treats every id ≥ K as masked: an all-masked grid decodes like the empty latent', async () => {
    const gpu = await testGpu();
    const decoder = await loadDecoder();
    const n = decoder.gridSize ** 2 * decoder.numQuantizers;
    const K = decoder.codebookSize;
    const a = decoder.decode(new Int32Array(n).fill(K), decoder.numQuantizers);
    const b = decoder.decode(new Int32Array(n).fill(K + 7), decoder.numQuantizers);
    expect(Array.from(await gpu.read(b))).toEqual(Array.from(await gpu.read(a)));
    a.release();
    b.release();
    decoder.dispose();
  });

  it('rejects bad grids and depths with bad-input errors naming the problem', async () => {
    const decoder = await loadDecoder();
    const D = decoder.numQuantizers;
    const n = decoder.gridSize ** 2 * D;
    const bad = (f: () => unknown, message: RegExp) =>
      expect(f).toThrow(expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(message) }));
    bad(() => decoder.decode(new Int32Array(n - 1), D), new RegExp(`expected ${n} ids .* got ${n - 1}`));
    const negative = new Int32Array(n);
    negative[D + 2] = -1;
    bad(() => decoder.decode(negative, D), /id -1 at position 1, depth 2 is negative/);
    for (const depths of [0, D + 1, 1.5]) bad(() => decoder.decode(new Int32Array(n), depths), /depths must be/);
    decoder.dispose();
  });

  it('is what loadModel builds for a stepwise-rvq folder', async () => {
    const gpu = await testGpu();
    const m = await loadModel(gpu, await loadModelFolder(nodeFolder(MODEL), { requireTokenizer: false }));
    expect(m.kind).toBe('image-tokenizer');
    if (m.kind === 'image-tokenizer') m.lm.dispose();
  });

  it('refuses a folder of another model type', async () => {
    const gpu = await testGpu();
    const mdlm = await loadModelFolder(nodeFolder(TINY_MDLM), { requireTokenizer: false });
    await expect(RvqDecoder.load(gpu, mdlm)).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringMatching(/is a "mdlm" model, not an RVQ image tokenizer/),
    });
  });
});

describe('toRgba', () => {
  it('clamps to [-1, 1], maps to round((x + 1) / 2 · 255) per channel, alpha 255', async () => {
    const gpu = await testGpu();
    // [3, 1, 3]: three pixels; R = −2, 0, 1; G = −1, 0.5, 3; B = −0.999, 0.001, 0.998
    const x = Float32Array.of(-2, 0, 1, -1, 0.5, 3, -0.999, 0.001, 0.998);
    const t = gpu.upload(x, [3, 1, 3], 'rgb');
    const rgba = await toRgba(gpu, t);
    expect(rgba).toBeInstanceOf(Uint8ClampedArray);
    expect(Array.from(rgba)).toEqual([0, 0, 0, 255, 128, 191, 128, 255, 255, 255, 255, 255]);
    t.release();
  });

  it('maps a unit-range image (TiTok) with round(x · 255), clamped to [0, 1]', async () => {
    const gpu = await testGpu();
    // [3, 1, 2]: R = −0.5, 0.5; G = 1.5, 0.2; B = 0, 1
    const t = gpu.upload(Float32Array.of(-0.5, 0.5, 1.5, 0.2, 0, 1), [3, 1, 2], 'rgb');
    expect(Array.from(await toRgba(gpu, t, 'unit'))).toEqual([0, 255, 0, 255, 128, 51, 255, 255]);
    t.release();
  });
});
