// The TiTok tokenizer against the vendored PyTorch reference (train/titok_golden.py): a tiny random
// TiTok in the published tensor names and config layout. Decode pixels and the decoder's logits at
// ≤ 1e-3, encoder latents at ≤ 1e-3 and token ids exactly (every nearest code wins by ≥ 1e-3).
import { describe, expect, it } from 'vitest';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { openSafetensors } from '../formats/safetensors.ts';
import { testGpu } from '../gpu/testing.ts';
import { loadModel } from './registry.ts';
import { expectLogitsClose } from './testing.ts';
import { TitokTokenizer } from './titokTokenizer.ts';

const DIR = new URL('./fixtures/tiny-titok/', import.meta.url).pathname;

async function golden() {
  const src = await nodeFolder(DIR).open('golden.safetensors');
  if (!src) throw new Error(`${DIR}golden.safetensors is missing`);
  const f = await openSafetensors(src);
  const read = async (name: string) => ({ data: (await f.readTensor(name)).data, shape: f.info(name).shape });
  const rows = <A extends Float32Array | Int32Array>(t: { data: unknown; shape: number[] }): A[] => {
    const a = t.data as A;
    const n = a.length / t.shape[0];
    return Array.from({ length: t.shape[0] }, (_, i) => a.slice(i * n, (i + 1) * n) as A);
  };
  return {
    decodeTokens: rows<Int32Array>(await read('decode_tokens')),
    decodeLogits: rows<Float32Array>(await read('decode_logits')),
    decodeImages: rows<Float32Array>(await read('decode_images')),
    encodeImages: rows<Float32Array>(await read('encode_images')),
    encodeLatents: rows<Float32Array>(await read('encode_latents')),
    encodeTokens: rows<Int32Array>(await read('encode_tokens')),
  };
}

async function load(options?: { encoder?: boolean }): Promise<TitokTokenizer> {
  return TitokTokenizer.load(
    await testGpu(),
    await loadModelFolder(nodeFolder(DIR), { requireTokenizer: false }),
    options,
  );
}

describe('TiTok tokenizer (tiny, published names) vs PyTorch', () => {
  it('loads as what the registry builds for the folder, with the shapes of its config', async () => {
    const gpu = await testGpu();
    const m = await loadModel(gpu, await loadModelFolder(nodeFolder(DIR), { requireTokenizer: false }));
    expect(m.kind).toBe('titok-tokenizer');
    if (m.kind !== 'titok-tokenizer') return;
    expect([m.lm.imageSize, m.lm.numTokens, m.lm.codebookSize, m.lm.hasEncoder]).toEqual([32, 32, 64, true]);
    // Every tensor as f32, less the 1152 values saved by summing the class, position and latent
    // embeddings once on load (decoder: 912 → 816; encoder: 2624 → 1568).
    expect(m.lm.weightBytes).toBe((725391 - 1152) * 4);
    m.lm.dispose();
  });

  it("decodes token ids to the reference's pixels and decoder logits (max abs error ≤ 1e-3)", async () => {
    const gpu = await testGpu();
    const t = await load();
    const g = await golden();
    expect(g.decodeTokens.some((ids) => ids.includes(t.codebookSize))).toBe(true); // a left-out token is covered
    for (const [s, ids] of g.decodeTokens.entries()) {
      const logits = t.decodeLogits(ids); // [G², Kp]
      expect(logits.shape).toEqual([16, 32]);
      await expectLogitsClose(gpu, logits, g.decodeLogits[s], 1e-3);
      logits.release();
      const rgb = t.decode(ids); // [3, 32, 32]
      expect(rgb.shape).toEqual([3, 32, 32]);
      await expectLogitsClose(gpu, rgb, g.decodeImages[s], 1e-3);
      rgb.release();
    }
    t.dispose();
  });

  it("encodes images to the reference's latents (≤ 1e-3) and exactly its token ids", async () => {
    const gpu = await testGpu();
    const t = await load();
    const g = await golden();
    for (const [s, image] of g.encodeImages.entries()) {
      const z = t.encodeLatents(image); // [L, T]
      expect(z.shape).toEqual([32, 12]);
      await expectLogitsClose(gpu, z, g.encodeLatents[s], 1e-3);
      z.release();
      expect(Array.from(await t.encode(image))).toEqual(Array.from(g.encodeTokens[s]));
    }
    t.dispose();
  });

  it('round-trips: the ids of an image decode to what decoding those ids directly gives', async () => {
    const gpu = await testGpu();
    const t = await load();
    const g = await golden();
    const ids = await t.encode(g.encodeImages[0]);
    expect(Array.from(ids)).toEqual(Array.from(g.decodeTokens[0])); // the golden's first decode case
    const rgb = t.decode(ids);
    await expectLogitsClose(gpu, rgb, g.decodeImages[0], 1e-3);
    rgb.release();
    t.dispose();
  });

  it('loads without the encoder when asked, holding fewer weights, and then refuses to encode', async () => {
    const full = await load();
    const decoderOnly = await load({ encoder: false });
    expect(decoderOnly.hasEncoder).toBe(false);
    expect(decoderOnly.weightBytes).toBeLessThan(full.weightBytes);
    expect(() => decoderOnly.encodeLatents(new Float32Array(3 * 32 * 32))).toThrow(/loaded without its encoder/);
    full.dispose();
    decoderOnly.dispose();
  });

  it('rejects bad token ids and images with bad-input errors naming the problem', async () => {
    const t = await load();
    const bad = (f: () => unknown, message: RegExp) =>
      expect(f).toThrow(expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(message) }));
    bad(() => t.decode(new Int32Array(31)), /TiTok takes 32 token ids, got 31/);
    const ids = new Int32Array(32);
    ids[7] = 65;
    bad(() => t.decode(ids), /id 65 at position 7 is outside 0 … 64/);
    ids[7] = -1;
    bad(() => t.decode(ids), /id -1 at position 7/);
    bad(() => t.encodeLatents(new Float32Array(3 * 32 * 31)), /3 × 32 × 32 = 3072 values .* got 2976/);
    const image = new Float32Array(3 * 32 * 32);
    image[1024 + 32 * 5 + 9] = NaN;
    bad(() => t.encodeLatents(image), /channel 1 at \(9, 5\) is NaN/);
    t.dispose();
  });
});
