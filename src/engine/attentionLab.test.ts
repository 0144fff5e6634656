// The attention lab on Dawn in Node: result shapes (timings, errors, every level's selections and
// their layout on the token grid, ToMe's groups), block top-K equal to dense when it keeps every
// block, the random input on a sequence that is no square, and 'bad-input' for every invalid setting.
// The model input: MDLM's capture hook hands out what attention sees (layer 0's q, k, v recomputed
// in float64 from the checkpoint of the tiny golden model; a later layer's k and v equal to the
// model's own KV cache; the logits unchanged), then the lab on captured inputs (tiny-mdlm from token
// ids, brown-mdlm from its tokenizer and the default text) and its bad inputs.

import { beforeAll, describe, expect, it } from 'vitest';
import type { MdlmConfig } from '../formats/config.ts';
import { loadModelFolder } from '../formats/modelFolder.ts';
import { nodeFolder } from '../formats/nodeFolder.ts';
import { SHIPPED_DIR } from '../formats/nodeResolve.ts';
import type { TextTokenizer } from '../formats/tokenizer.ts';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { testGpu } from '../gpu/testing.ts';
import { modulateRef } from '../kernels/reference/adaln.ts';
import { layerNormRef } from '../kernels/reference/layernorm.ts';
import { matmulRef } from '../kernels/reference/matmul.ts';
import { ropeRef } from '../kernels/reference/rope.ts';
import { siluRef } from '../kernels/reference/unary.ts';
import { Mdlm, type MdlmCapture } from '../models/mdlm.ts';
import type { AttentionLabLevel, AttentionLabRequest } from './api.ts';
import { LAB_TEXT, runAttentionLab, type LabModel } from './attentionLab.ts';

const BASE: AttentionLabRequest = {
  n: 1024,
  headDim: 32,
  block: 16,
  topk: 4,
  levels: 2,
  input: 'smooth',
  queryBlock: 5,
  seed: 3,
  tomeRatio: 0.5,
  reps: 1,
};

/** Every row of picks: k distinct tokens of the level, each among the row's candidates. */
function expectPicks(sel: AttentionLabLevel, candidates: (row: number) => Set<number>): void {
  expect(sel.selected.length).toBe(sel.blocks * sel.k);
  for (let row = 0; row < sel.blocks; row++) {
    const picks = Array.from(sel.selected.subarray(row * sel.k, (row + 1) * sel.k));
    expect(new Set(picks).size).toBe(sel.k);
    const allowed = candidates(row);
    for (const p of picks) expect(allowed.has(p), `level ${sel.level} row ${row} picked ${p}`).toBe(true);
  }
}

/** The layout puts every block in its own cell of the grid. */
function expectLayout(sel: AttentionLabLevel): void {
  const { rows, cols, cell } = sel.layout;
  expect(cell.length).toBe(sel.blocks);
  expect(new Set(cell).size).toBe(sel.blocks);
  for (const c of cell) expect(c >= 0 && c < rows * cols).toBe(true);
}

describe('attention lab', () => {
  it('smooth input, two levels: times, errors, selections on the Morton grid, ToMe groups', async () => {
    const r = await runAttentionLab(await testGpu(), BASE);
    expect(r.request).toEqual(BASE);
    expect(r.grid).toEqual({ height: 32, width: 32 });
    for (const m of [r.dense, r.blockTopk, r.llsa]) {
      expect(m.ms).toBeGreaterThan(0);
      expect(m.samples).toBe(1);
    }
    expect(r.dense.error).toBeNull();
    expect(r.dense.keysPerQuery).toBe(1024);
    expect(r.blockTopk.keysPerQuery).toBe(4 * 16);
    // Level 1: 4 blocks of 16 fine tokens; level 2: 4 of the 16 children of its picks; level 2 (top): 4 tokens.
    expect(r.llsa.keysPerQuery).toBe(4 * 16 + 4 * 16 + 4);
    for (const m of [r.blockTopk, r.llsa]) {
      expect(m.error!.relL2).toBeGreaterThan(0);
      expect(m.error!.relL2).toBeLessThan(1);
      expect(m.error!.maxAbs).toBeGreaterThan(0);
    }

    const [l1, l2] = r.llsaSelection;
    expect(r.llsaSelection.length).toBe(2);
    expect([l1.level, l1.blocks, l1.k, l2.level, l2.blocks, l2.k]).toEqual([1, 64, 4, 2, 4, 4]);
    expectPicks(l2, () => new Set([0, 1, 2, 3]));
    // Below the top, a level-1 token picks among the children of its parent's level-2 picks.
    expectPicks(l1, (row) => {
      const parent = Math.floor(row / 16);
      const picks = Array.from(l2.selected.subarray(parent * 4, parent * 4 + 4));
      return new Set(picks.flatMap((p) => Array.from({ length: 16 }, (_, c) => p * 16 + c)));
    });
    expectPicks(r.blockTopkSelection, () => new Set(Array.from({ length: 64 }, (_, b) => b)));
    // On the 32×32 grid, blocks of 16 tokens are 4×4 patches (8×8 of them), of 256 tokens 16×16.
    expect(l1.layout).toMatchObject({ rows: 8, cols: 8, cellWidth: 4, cellHeight: 4 });
    expect(l2.layout).toMatchObject({ rows: 2, cols: 2, cellWidth: 16, cellHeight: 16 });
    expect(Array.from(l2.layout.cell)).toEqual([0, 1, 2, 3]);
    // Z order: block 1 is right of block 0, block 2 below it.
    expect(Array.from(l1.layout.cell.subarray(0, 4))).toEqual([0, 1, 8, 9]);
    for (const sel of [l1, l2, r.blockTopkSelection]) expectLayout(sel);

    const t = r.tome;
    expect([t.height, t.width, t.sharedInput, t.ratio]).toEqual([32, 32, true, 0.5]);
    expect(t.merged).toBe(512);
    expect(t.kept).toBe(512);
    expect(t.assign.length).toBe(1024);
    expect(new Set(t.assign).size).toBe(t.kept);
    expect(t.denseMs).toBe(r.dense.ms);
    expect(t.ms).toBeGreaterThan(0);
    expect(t.error.relL2).toBeGreaterThan(0);
    expect(t.error.relL2).toBeLessThan(1);
  });

  it('block top-K that keeps every block (K·B ≥ N) equals dense attention', async () => {
    const r = await runAttentionLab(await testGpu(), { ...BASE, n: 256, topk: 16, levels: 1, tomeRatio: 0 });
    expect(r.blockTopk.keysPerQuery).toBe(256);
    expect(r.blockTopk.error!.relL2).toBeLessThan(1e-5);
    expect(r.blockTopk.error!.maxAbs).toBeLessThan(1e-5);
    // Merging nothing changes nothing but the proportional attention's log 1 = 0 terms.
    expect(r.tome.merged).toBe(0);
    expect(r.tome.error.maxAbs).toBeLessThan(1e-5);
  });

  it('random input on N = 768 (no power of two): reading-order layout, ToMe on its own 32×32 grid', async () => {
    const r = await runAttentionLab(await testGpu(), {
      ...BASE,
      n: 768,
      input: 'random',
      levels: 1,
      topk: 3,
      tomeRatio: 0.75,
      queryBlock: 47,
    });
    expect(r.grid).toBeNull();
    const [l1] = r.llsaSelection;
    expect([l1.blocks, l1.k]).toEqual([48, 3]);
    expect(l1.layout).toMatchObject({ rows: 7, cols: 7, cellWidth: 1, cellHeight: 1 });
    expect(Array.from(l1.layout.cell)).toEqual(Array.from({ length: 48 }, (_, b) => b));
    expect(r.tome).toMatchObject({ height: 32, width: 32, sharedInput: false, merged: 768, kept: 256 });
    expect(new Set(r.tome.assign).size).toBe(256);
    expect(r.tome.denseMs).toBeGreaterThan(0);
  });

  const bad: Array<[string, Partial<AttentionLabRequest>, RegExp]> = [
    ['N not a multiple of B', { n: 1000, input: 'random' }, /not a multiple of the block size B=16/],
    ['N not a multiple of B^L', { n: 768, input: 'random', levels: 3 }, /levels must be 1 … 2 for N=768/],
    ['K < 1', { topk: 0 }, /top-K must be a whole number ≥ 1/],
    ['K too wide for the select kernel', { n: 2048, topk: 65, levels: 1 }, /at most 64/],
    ['B not a power of two', { block: 12 }, /power of two/],
    ['B = 1', { block: 1 }, /power of two ≥ 2/],
    ['ratio above 0.75', { tomeRatio: 0.8 }, /merge ratio must be in \[0, 0.75\]/],
    ['ratio below 0', { tomeRatio: -0.1 }, /merge ratio/],
    ['N beyond the adapter', { n: 1 << 20 }, /more than this/],
    ['head size', { headDim: 300 }, /head size D/],
    ['query block', { queryBlock: 64 }, /query block must be a whole number in 0 … 63/],
    ['smooth input, N no power of two', { n: 768, levels: 1 }, /power of two/],
    ['levels 0', { levels: 0 }, /levels must be 1 … 2/],
    [
      'unknown input',
      { input: 'image' as AttentionLabRequest['input'] },
      /input must be "smooth", "random" or "model"/,
    ],
    ['model input without a model', { input: 'model' }, /needs a loaded masked-diffusion model/],
    [
      'model input naming no loaded model',
      { input: 'model', model: { handle: 'm9', layer: 0, head: 0 } },
      /no model "m9" is loaded/,
    ],
    ['reps', { reps: 0 }, /timed calls/],
  ];
  for (const [name, patch, message] of bad) {
    it(`bad input: ${name}`, async () => {
      await expect(runAttentionLab(await testGpu(), { ...BASE, ...patch })).rejects.toMatchObject({
        code: 'bad-input',
        message: expect.stringMatching(message),
      });
    });
  }
});

// ---- the model input ------------------------------------------------------------------------------

const TINY = new URL('../models/fixtures/tiny-mdlm/', import.meta.url).pathname;

async function loadMdlm(gpu: Gpu, dir: string, requireTokenizer: boolean) {
  const folder = await loadModelFolder(nodeFolder(dir), { requireTokenizer });
  const lm = await Mdlm.load(gpu, folder.config as MdlmConfig, folder.checkpoint);
  return { folder, lm };
}

/** One forward with a capture; the captured q, k, v read back, [T, Dh] each. */
async function captured(gpu: Gpu, lm: Mdlm, ids: Int32Array, sigma: number, at: Omit<MdlmCapture, 'onCapture'>) {
  let kept: Tensor[] = [];
  const onCapture = (...qkv: Tensor[]) => {
    kept = qkv.map((t) => {
      const c = gpu.empty(t.shape, 'f32', 'test.capture'); // [T, Dh]
      gpu.copy(t, 0, c, 0, t.shape[0] * t.shape[1]);
      return c;
    });
  };
  const logits = lm.forward(ids, sigma, { capture: { ...at, onCapture } }); // [T, V]
  const out = { logits: (await gpu.read(logits)) as Float32Array, qkv: [] as Float32Array[] };
  logits.release();
  for (const t of kept) out.qkv.push((await gpu.read(t)) as Float32Array);
  for (const t of kept) t.release();
  return out;
}

/** Head `head` of rows [T, H, Dh]. */
function headOf(x: ArrayLike<number>, t: number, heads: number, dh: number, head: number): Float64Array {
  const out = new Float64Array(t * dh);
  for (let i = 0; i < t; i++) for (let c = 0; c < dh; c++) out[i * dh + c] = x[(i * heads + head) * dh + c];
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('MDLM capture (tiny golden model)', () => {
  let gpu: Gpu;
  let tiny: Awaited<ReturnType<typeof loadMdlm>>;
  const ids = Int32Array.from({ length: 40 }, (_, i) => (i < 17 ? (i * 37 + 5) % 96 : 96)); // text, then [MASK]
  const sigma = 0.8;

  beforeAll(async () => {
    gpu = await testGpu();
    tiny = await loadMdlm(gpu, TINY, false);
  });

  it('layer 0: q and k after RoPE and v of the head, as recomputed in float64 from the checkpoint', async () => {
    const { hiddenDim: D, nHeads: H, headDim: Dh, condDim: K } = tiny.lm.config;
    const T = ids.length;
    const w = async (name: string) =>
      Float64Array.from((await tiny.folder.checkpoint.readTensor(`backbone.${name}`)).data as ArrayLike<number>);
    // c = SiLU(MLP(sinusoidal(σ))); block 0's shift and scale for attention.
    const half = 128;
    const freq = Float64Array.from({ length: 2 * half }, (_, i) => {
      const f = Math.exp((-Math.log(10000) * (i % half)) / half);
      return i < half ? Math.cos(sigma * f) : Math.sin(sigma * f);
    });
    const lin = async (name: string, x: Float64Array, nOut: number, nIn: number) =>
      matmulRef(
        x,
        await w(`${name}.weight`),
        { batch: 1, m: x.length / nIn, n: nOut, k: nIn, transB: true },
        await w(`${name}.bias`),
      );
    const c = siluRef(await lin('sigma_map.mlp.2', siluRef(await lin('sigma_map.mlp.0', freq, K, 256)), K, K));
    const mod = await lin('blocks.0.adaLN_modulation', c, 6 * D, K);
    const [shift, scale] = [mod.subarray(0, D), mod.subarray(D, 2 * D)];
    const embed = await w('vocab_embed.embedding');
    const x = new Float64Array(T * D);
    ids.forEach((id, t) => x.set(embed.subarray(id * D, (id + 1) * D), t * D));
    const h = modulateRef(layerNormRef(x, await w('blocks.0.norm1.weight'), null, 1e-5), shift, scale);
    const qkv = await w('blocks.0.attn_qkv.weight'); // [3D, D]: q rows, k rows, v rows
    const project = (j: number) =>
      matmulRef(h, qkv.subarray(j * D * D, (j + 1) * D * D), { batch: 1, m: T, n: D, k: D, transB: true });
    const rope = (y: Float64Array) =>
      ropeRef(y, [T, H, Dh], { pos0: 0, theta: 10000, rotaryDim: Dh, layout: 'rotate-half' });
    const want = [rope(project(0)), rope(project(1)), project(2)];
    for (const head of [0, H - 1]) {
      const got = await captured(gpu, tiny.lm, ids, sigma, { layer: 0, head });
      got.qkv.forEach((g, j) => {
        expect(maxAbsDiff(g, headOf(want[j], T, H, Dh, head)), `${'qkv'[j]} of head ${head}`).toBeLessThan(1e-4);
      });
    }
  });

  it('layer 1: k and v are the model’s own cached keys and values of the head; the logits do not change', async () => {
    const { nHeads: H, headDim: Dh } = tiny.lm.config;
    const T = ids.length;
    const plain = tiny.lm.forward(ids, sigma); // [T, V]
    const want = (await gpu.read(plain)) as Float32Array;
    plain.release();
    const cache = tiny.lm.newCache(T);
    tiny.lm.forward(ids, sigma, { cache }).release();
    const keys = (await gpu.read(cache.keys[1])) as Float32Array; // [T, H, Dh]
    const values = (await gpu.read(cache.values[1])) as Float32Array;
    cache.release();
    const got = await captured(gpu, tiny.lm, ids, sigma, { layer: 1, head: 2 });
    expect(maxAbsDiff(got.qkv[1], headOf(keys, T, H, Dh, 2))).toBe(0);
    expect(maxAbsDiff(got.qkv[2], headOf(values, T, H, Dh, 2))).toBe(0);
    expect(maxAbsDiff(got.logits, want)).toBe(0);
  });

  it('captures only a dense forward over every position, of a layer and head the model has', () => {
    const at = { layer: 0, head: 0, onCapture: () => {} };
    expect(() =>
      tiny.lm.forward(ids, sigma, { capture: at, attention: { kind: 'block-topk', blockSize: 8, topK: 2 } }),
    ).toThrow(/dense attention/);
    expect(() => tiny.lm.forward(ids, sigma, { capture: { ...at, layer: 2 } })).toThrow(
      /layer 2 is outside the model's blocks 0 … 1/,
    );
    expect(() => tiny.lm.forward(ids, sigma, { capture: { ...at, head: 4 } })).toThrow(
      /head 4 is outside the model's heads 0 … 3/,
    );
  });
});

describe('attention lab, model input', () => {
  let gpu: Gpu;
  let tiny: LabModel;
  let brown: LabModel;
  const MODEL_BASE: AttentionLabRequest = {
    ...BASE,
    n: 48,
    block: 16,
    topk: 3,
    levels: 1,
    input: 'model',
    model: { handle: 'tiny', layer: 1, head: 3, tokens: [5, 17, 42, 8, 64, 3, 77, 21, 9, 13] },
    queryBlock: 0,
    tomeRatio: 0.5,
  };

  beforeAll(async () => {
    gpu = await testGpu();
    const t = await loadMdlm(gpu, TINY, false);
    tiny = { source: 'tiny-mdlm', model: { kind: 'diffusion', lm: t.lm }, tokenizer: null };
    const b = await loadMdlm(gpu, `${SHIPPED_DIR}/brown-mdlm`, true);
    brown = { source: 'brown-mdlm', model: { kind: 'diffusion', lm: b.lm }, tokenizer: b.folder.tokenizer };
  });

  it('tiny-mdlm from token ids: block top-K keeping every block (K·B ≥ N) equals dense on the captured head', async () => {
    const r = await runAttentionLab(gpu, MODEL_BASE, tiny);
    expect(r.request).toMatchObject({ n: 48, headDim: 12, input: 'model', model: MODEL_BASE.model });
    expect(r.grid).toBeNull();
    expect(r.capture).toMatchObject({ source: 'tiny-mdlm', layer: 1, head: 3, layers: 2, heads: 4, context: 48 });
    expect(r.capture!.textTokens).toBe(10);
    expect(r.capture!.pieces).toBeNull();
    expect(r.capture!.sigma).toBeCloseTo(-Math.log1p(-(1 - 1e-3) * (38 / 48)), 12);
    expect(r.blockTopk.keysPerQuery).toBe(48);
    expect(r.blockTopk.error!.relL2).toBeLessThan(1e-5);
    expect(r.blockTopk.error!.maxAbs).toBeLessThan(1e-5);
    expect(Number.isFinite(r.llsa.error!.relL2)).toBe(true);
    // ToMe merges the sequence as the models do: cells of 4 consecutive tokens.
    expect(r.tome).toMatchObject({ height: 1, width: 48, cellWidth: 4, cellHeight: 1, sharedInput: true });
    expect([r.tome.merged, r.tome.kept]).toEqual([24, 24]);
    for (let cell = 0; cell < 12; cell++) {
      const slots = new Set(r.tome.assign.subarray(cell * 4, cell * 4 + 4));
      expect(slots.size).toBeLessThanOrEqual(4);
    }
    expect(r.tome.denseMs).toBe(r.dense.ms);
  });

  it('brown-mdlm from its tokenizer and the default text, N = 256 (its context), two levels', async () => {
    const req: AttentionLabRequest = {
      ...BASE,
      n: 256,
      block: 4,
      topk: 4,
      levels: 2,
      input: 'model',
      model: { handle: 'brown', layer: 3, head: 5 },
      queryBlock: 7,
      tomeRatio: 0.25,
    };
    const r = await runAttentionLab(gpu, req, brown);
    const tokenizer = brown.tokenizer as TextTokenizer;
    const text = tokenizer.encode(LAB_TEXT);
    expect(r.request.headDim).toBe(32);
    expect(r.capture).toMatchObject({
      source: 'brown-mdlm',
      layers: 6,
      heads: 8,
      context: 256,
      textTokens: text.length,
    });
    expect(r.capture!.pieces!.join('')).toBe(LAB_TEXT);
    expect(r.llsaSelection.map((l) => [l.blocks, l.k])).toEqual([
      [64, 4],
      [16, 4],
    ]);
    expect(r.llsaSelection[0].layout).toMatchObject({ rows: 8, cols: 8, cellWidth: 1, cellHeight: 1 });
    for (const m of [r.blockTopk, r.llsa]) {
      expect(m.error!.relL2).toBeGreaterThan(0);
      expect(m.error!.relL2).toBeLessThan(1);
    }
    expect(r.tome).toMatchObject({ height: 1, width: 256, merged: 64, kept: 192 });
    // A text of the user's, and a head of another layer, change the captured inputs.
    const other = await runAttentionLab(
      gpu,
      { ...req, model: { handle: 'brown', layer: 0, head: 5, text: 'The jury said' } },
      brown,
    );
    expect(other.capture!.textTokens).toBe(tokenizer.encode('The jury said').length);
    expect(other.blockTopk.error!.relL2).not.toBe(r.blockTopk.error!.relL2);
  });

  const badModel: Array<[string, Partial<AttentionLabRequest>, 'tiny' | 'brown' | 'image', RegExp]> = [
    ['N beyond the context', { n: 64 }, 'tiny', /N=64 tokens is more than tiny-mdlm's context of 48/],
    [
      'layer out of range',
      { model: { handle: 'tiny', layer: 2, head: 0, tokens: [1] } },
      'tiny',
      /layer 2 is not one of tiny-mdlm's blocks 0 … 1/,
    ],
    [
      'head out of range',
      { model: { handle: 'tiny', layer: 0, head: -1, tokens: [1] } },
      'tiny',
      /head -1 is not one of tiny-mdlm's heads 0 … 3/,
    ],
    [
      'no tokenizer, no ids',
      { model: { handle: 'tiny', layer: 0, head: 0, text: 'hi' } },
      'tiny',
      /has no tokenizer.json/,
    ],
    [
      'text and ids',
      { model: { handle: 'brown', layer: 0, head: 0, text: 'a', tokens: [1] } },
      'brown',
      /a text or token ids, not both/,
    ],
    [
      'id outside the vocabulary',
      { model: { handle: 'tiny', layer: 0, head: 0, tokens: [97] } },
      'tiny',
      /token id 97 is outside tiny-mdlm's vocabulary/,
    ],
    [
      'text longer than N',
      { n: 16, model: { handle: 'brown', layer: 0, head: 0 } },
      'brown',
      /the text is \d+ tokens, more than N=16/,
    ],
    ['not a diffusion model', {}, 'image', /is not a masked-diffusion model/],
  ];
  for (const [name, patch, which, message] of badModel) {
    it(`bad input: ${name}`, async () => {
      const loaded =
        which === 'tiny'
          ? tiny
          : which === 'brown'
            ? brown
            : ({ source: 'emoji-rvq', model: { kind: 'image-tokenizer' }, tokenizer: null } as unknown as LabModel);
      await expect(runAttentionLab(gpu, { ...MODEL_BASE, ...patch }, loaded)).rejects.toMatchObject({
        code: 'bad-input',
        message: expect.stringMatching(message),
      });
    });
  }
});
