// The attention lab's store: form validation (per adapter class), the levels and query block kept
// inside what a new N or B allows, the block maps derived for any query block from the selections of
// every block (candidates below the top are the children of the parent's picks), the model input
// (offered from a loaded masked-diffusion model: its layers, heads, head size and context), and the
// Run action against a fake engine client.

import { afterEach, describe, expect, it } from 'vitest';
import type { AttentionLabLevel, AttentionLabRequest, AttentionLabResult, LoadedModelInfo } from '../engine/api.ts';
import type { EngineClient } from '../worker/client.ts';
import {
  initialLabForm,
  labBlockMaps,
  labMaxLevels,
  labModelOf,
  labTokenChoices,
  paperLevels,
  shownQueryBlock,
} from './attentionLab.ts';
import { runAttentionLab, setEngineClientFactory, useStore, validateLabForm } from './index.ts';

/** brown-mdlm as the engine reports it once loaded (the fields the lab reads). */
const BROWN: LoadedModelInfo = {
  handle: 'm1',
  source: 'brown-mdlm',
  modelType: 'mdlm',
  task: 'text-diffusion',
  config: { n_blocks: 6, n_heads: 8, hidden_dim: 256, model_length: 256, vocab_size: 4096 },
  parameters: 0,
  fileBytes: 0,
  gpuBytes: 0,
  tensors: [],
  warnings: [],
};

const level = (lvl: number, blocks: number, k: number, selected: number[]): AttentionLabLevel => ({
  level: lvl,
  blocks,
  k,
  selected: Int32Array.from(selected),
  layout: {
    rows: 1,
    cols: blocks,
    cellWidth: 1,
    cellHeight: 1,
    cell: Int32Array.from({ length: blocks }, (_, b) => b),
  },
});

/** N = 64, B = 4, K = 2, L = 2: 16 level-1 blocks, 4 level-2 tokens. */
function fakeResult(): AttentionLabResult {
  const request = {
    n: 64,
    headDim: 8,
    block: 4,
    topk: 2,
    levels: 2,
    input: 'random' as const,
    queryBlock: 5,
    seed: 1,
    tomeRatio: 0,
    reps: 1,
  };
  const method = { ms: 1, samples: 1, keysPerQuery: 8, error: { relL2: 0.1, maxAbs: 0.2 } };
  // Level 2: token t keeps [t, (t + 1) % 4]; level 1: block b keeps the first child of each parent pick.
  const l2 = level(2, 4, 2, [0, 1, 1, 2, 2, 3, 3, 0]);
  const l1 = level(
    1,
    16,
    2,
    Array.from({ length: 16 }, (_, b) => {
      const p = Math.floor(b / 4);
      return [l2.selected[2 * p] * 4, l2.selected[2 * p + 1] * 4];
    }).flat(),
  );
  return {
    request,
    grid: null,
    timingSource: 'wall',
    dense: { ...method, error: null },
    blockTopk: method,
    llsa: method,
    blockTopkSelection: level(
      1,
      16,
      2,
      Array.from({ length: 32 }, (_, i) => (i * 3) % 16),
    ),
    llsaSelection: [l1, l2],
    tome: {
      height: 8,
      width: 8,
      cellWidth: 2,
      cellHeight: 2,
      sharedInput: true,
      ratio: 0,
      merged: 0,
      kept: 64,
      assign: Int32Array.from({ length: 64 }, (_, i) => i),
      ms: 1,
      samples: 1,
      denseMs: 1,
      error: { relL2: 0, maxAbs: 0 },
    },
  };
}

afterEach(() => {
  useStore.setState({
    attentionLab: { form: initialLabForm, running: false, result: null, error: null },
    model: null,
  });
});

describe('attention lab form', () => {
  it('turns the default form into a request', () => {
    const { request, errors } = validateLabForm(initialLabForm, 'cpu');
    expect(errors).toEqual({});
    expect(request).toEqual({
      n: 1024,
      headDim: 64,
      block: 16,
      topk: 8,
      levels: 1,
      input: 'smooth',
      queryBlock: 0,
      seed: 1,
      tomeRatio: 0.5,
    });
  });

  it('names every invalid field', () => {
    const { request, errors } = validateLabForm(
      { ...initialLabForm, n: '32768', topk: '0', tomeRatio: '0.8', seed: 'x' },
      'cpu',
    );
    expect(request).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['n', 'seed', 'tomeRatio', 'topk']);
    // A GPU adapter offers more tokens; levels and query block are checked against N and B.
    const gpu = validateLabForm({ ...initialLabForm, n: '32768', levels: '4', queryBlock: '2048' }, 'gpu');
    expect(gpu.errors).toEqual({
      levels: 'Levels must be 1 to 3 for N = 32768 and B = 16.',
      queryBlock: 'Query block must be a whole number from 0 to 2047.',
    });
  });

  it('counts levels the way the engine does', () => {
    expect(labMaxLevels(1024, 16)).toBe(2);
    expect(labMaxLevels(768, 16)).toBe(2);
    expect(labMaxLevels(1024, 2)).toBe(8); // the kernel's limit
    expect([paperLevels(1024, 16), paperLevels(4096, 16), paperLevels(65536, 16)]).toEqual([1, 2, 3]);
  });

  it('keeps levels and query block inside what a new N or B allows', () => {
    const { labFormChanged } = useStore.getState();
    labFormChanged({ levels: '2', queryBlock: '63' });
    labFormChanged({ n: '256' });
    expect(useStore.getState().attentionLab.form).toMatchObject({ levels: '2', queryBlock: '15' });
    labFormChanged({ block: '64' });
    expect(useStore.getState().attentionLab.form).toMatchObject({ levels: '1', queryBlock: '3' });
  });
});

describe('attention lab, model input', () => {
  it('takes its blocks, heads, head size and context from a loaded mdlm model only', () => {
    expect(labModelOf(BROWN)).toEqual({
      handle: 'm1',
      source: 'brown-mdlm',
      layers: 6,
      heads: 8,
      headDim: 32,
      context: 256,
    });
    expect(labModelOf({ ...BROWN, modelType: 'gpt2' })).toBeNull();
    expect(labModelOf(null)).toBeNull();
    // N: powers of two from 32 up to the context, and the context itself.
    expect(labTokenChoices('cpu', labModelOf(BROWN))).toEqual([32, 64, 128, 256]);
    expect(labTokenChoices('gpu', { ...labModelOf(BROWN)!, context: 48 })).toEqual([32, 48]);
  });

  it('needs a loaded masked-diffusion model, then sends its handle, layer, head and text', () => {
    const form = { ...initialLabForm, input: 'model' as const, n: '256', layer: '3', head: '5' };
    expect(validateLabForm(form, 'cpu').errors).toEqual({
      input: 'Load a masked-diffusion model (e.g. brown-mdlm) to capture Q/K/V from it.',
    });
    const model = labModelOf(BROWN);
    const ok = validateLabForm(form, 'cpu', model);
    expect(ok.errors).toEqual({});
    expect(ok.request).toMatchObject({
      n: 256,
      headDim: 32,
      input: 'model',
      model: { handle: 'm1', layer: 3, head: 5 },
    });
    expect(ok.request!.model).not.toHaveProperty('text'); // empty: the engine's default sentence
    expect(validateLabForm({ ...form, text: ' The jury said ' }, 'cpu', model).request!.model!.text).toBe(
      'The jury said',
    );
    expect(validateLabForm({ ...form, n: '1024', layer: '6', head: '-1' }, 'cpu', model).errors).toEqual({
      n: "Tokens must be one of 32, 64, 128, 256 (brown-mdlm's context is 256).",
      layer: 'Layer must be 0 to 5.',
      head: 'Head must be 0 to 7.',
    });
    // Other inputs send no model.
    expect(validateLabForm(initialLabForm, 'cpu', model).request).not.toHaveProperty('model');
  });

  it('choosing the model input brings N within the context, and the levels and query block with it', () => {
    useStore.setState({ model: BROWN });
    const { labFormChanged } = useStore.getState();
    labFormChanged({ levels: '2', queryBlock: '63' });
    labFormChanged({ input: 'model' });
    expect(useStore.getState().attentionLab.form).toMatchObject({ n: '256', levels: '2', queryBlock: '15' });
    labFormChanged({ n: '64' });
    expect(useStore.getState().attentionLab.form).toMatchObject({ n: '64', levels: '1', queryBlock: '3' });
  });
});

describe('attention lab maps', () => {
  it('derives the maps of any query block: block top-K, then LLSA from level 1 up', () => {
    const r = fakeResult();
    const maps = labBlockMaps(r, 5);
    expect(maps.map((m) => [m.name, m.level, m.blocks, m.blockTokens, m.query])).toEqual([
      ['Block top-K', 1, 16, 4, 5],
      ['LLSA level 1', 1, 16, 4, 5],
      ['LLSA level 2', 2, 4, 16, 1],
    ]);
    expect(maps[0].selected).toEqual([14, 1]);
    expect(maps[0].candidates).toBeNull();
    // Level 2 (the top) chose among all; level 1 among the children of level 2's picks for token 1.
    expect(maps[2].selected).toEqual([1, 2]);
    expect(maps[2].candidates).toBeNull();
    expect(maps[1].candidates).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(maps[1].selected).toEqual([4, 8]);
  });

  it('shows the form’s query block when it fits the result, else the one it ran with', () => {
    const r = fakeResult();
    expect(shownQueryBlock({ ...initialLabForm, queryBlock: '9' }, r)).toBe(9);
    expect(shownQueryBlock({ ...initialLabForm, queryBlock: '16' }, r)).toBe(5);
    expect(shownQueryBlock({ ...initialLabForm, queryBlock: '' }, r)).toBe(5);
  });
});

describe('runAttentionLab', () => {
  it('sends the form’s request and keeps the result, or the error', async () => {
    const sent: AttentionLabRequest[] = [];
    let fail = false;
    const client: Partial<EngineClient> = {
      attentionLab: async (req) => {
        sent.push(req);
        if (fail) throw Object.assign(new Error('no'), { name: 'StepwiseError', code: 'bad-input' });
        return fakeResult();
      },
      terminate: () => {},
    };
    setEngineClientFactory(() => client as EngineClient);
    await runAttentionLab();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ n: 1024, block: 16, topk: 8 });
    expect(useStore.getState().attentionLab).toMatchObject({ running: false, error: null });
    expect(useStore.getState().attentionLab.result?.request.n).toBe(64);
    fail = true;
    await runAttentionLab();
    expect(useStore.getState().attentionLab.error?.message).toBe('no');
    // The model input sends the page's model.
    useStore.setState({ model: BROWN });
    useStore.getState().labFormChanged({ input: 'model', layer: '2', head: '1' });
    await runAttentionLab();
    expect(sent[2]).toMatchObject({ n: 256, headDim: 32, model: { handle: 'm1', layer: 2, head: 1 } });
    // An invalid form sends nothing.
    useStore.getState().labFormChanged({ topk: '0' });
    await runAttentionLab();
    expect(sent).toHaveLength(3);
  });
});
