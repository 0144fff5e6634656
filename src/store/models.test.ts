// Model and cache actions against a fake engine client: the shipped list, a load's progress merged
// over the files known up front, 100 % at the end, errors kept word for word, cancellation, a load
// replaced by a newer one, freeing the previous model, and the cache panel's reads and writes.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  CachedModelRow,
  LoadedModelInfo,
  LoadProgress,
  LoadProgressCallback,
  ModelSource,
  StorageState,
} from '../engine/api.ts';
import { StepwiseError } from '../shared/errors.ts';
import type { EngineClient } from '../worker/client.ts';
import { setEngineClientFactory, useStore } from './index.ts';
import {
  cancelModelLoad,
  deleteCachedModel,
  keepModelsOffline,
  loadModel,
  loadShippedModels,
  mergeProgress,
  parseShippedList,
  refreshCache,
  reportLoadError,
  sourceLabel,
} from './modelActions.ts';
import { completeProgress } from './modelsSlice.ts';

const INDEX = JSON.stringify({
  models: [
    {
      id: 'brown-gpt2',
      task: 'text-generation',
      modelType: 'gpt2',
      description: 'A small GPT-2.',
      files: [
        { path: 'README.md', size: 10, sha256: 'x' },
        { path: 'config.json', size: 100, sha256: 'x' },
        { path: 'model.safetensors', size: 1000, sha256: 'x' },
        { path: 'tokenizer.json', size: 50, sha256: 'x' },
      ],
      bytes: 1160,
    },
  ],
});

function info(source: string, handle: string): LoadedModelInfo {
  return {
    source,
    handle,
    modelType: 'gpt2',
    task: 'text-generation',
    config: { n_embd: 32 },
    parameters: 1234,
    fileBytes: 2468,
    gpuBytes: 4936,
    tensors: [{ name: 'wte.weight', dtype: 'F16', shape: [10, 32], bytes: 640, file: 'model.safetensors' }],
    warnings: [],
  };
}

function fileReport(file: string, loaded: number, total: number): LoadProgress['files'][number] {
  return { file, loaded, total, bytesPerSecond: 1000, etaSeconds: null, done: loaded === total };
}

function fakeClient(overrides: Partial<EngineClient> = {}): EngineClient {
  const methods: Partial<EngineClient> = { terminate: () => {}, unloadModel: async () => {}, ...overrides };
  return new Proxy(methods, {
    get: (target, prop) =>
      target[prop as keyof EngineClient] ??
      (() => Promise.reject(new Error(`fake engine client: ${String(prop)} is not faked`))),
  }) as EngineClient;
}

const okFetch = (text: string) => vi.fn(async () => new Response(text, { status: 200 })) as unknown as typeof fetch;

beforeEach(() => {
  useStore.setState(useStore.getInitialState(), true);
  vi.stubGlobal('navigator', { gpu: {} });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the shipped list', () => {
  it('reads models/index.json once', async () => {
    const fetchImpl = okFetch(INDEX);
    await loadShippedModels(fetchImpl);
    await loadShippedModels(fetchImpl);
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    const { shipped } = useStore.getState();
    expect(shipped.status).toBe('ready');
    expect(shipped.models.map((m) => [m.id, m.task, m.bytes])).toEqual([['brown-gpt2', 'text-generation', 1160]]);
  });

  it('keeps a failure as an error naming the index, and retries later', async () => {
    await loadShippedModels(vi.fn(async () => new Response('nope', { status: 404 })) as unknown as typeof fetch);
    expect(useStore.getState().shipped.status).toBe('error');
    expect(useStore.getState().shipped.error?.message).toMatch(/models\/index\.json answered 404/);
    await loadShippedModels(
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }) as unknown as typeof fetch,
    );
    expect(useStore.getState().shipped.error?.message).toMatch(/could not read the list .*Failed to fetch/);
    await loadShippedModels(okFetch(INDEX));
    expect(useStore.getState().shipped.status).toBe('ready');
  });

  it('rejects an index that is not one', () => {
    expect(() => parseShippedList('{', 'models/index.json')).toThrow(/models\/index\.json: not JSON/);
    expect(() => parseShippedList('{"models": 3}')).toThrow(/"models" must be an array/);
    expect(() => parseShippedList('{"models": [{"id": ""}]}')).toThrow(/models\[0\]\.id/);
  });
});

describe('loadModel', () => {
  beforeEach(async () => {
    await loadShippedModels(okFetch(INDEX));
  });

  it('shows the files a load reads from the start, merges reports, and ends at 100 %', async () => {
    let report!: LoadProgressCallback;
    let finish!: () => void;
    setEngineClientFactory(() =>
      fakeClient({
        loadModel: (_source: ModelSource, onProgress?: LoadProgressCallback) => {
          report = onProgress!;
          return new Promise((resolve) => (finish = () => resolve(info('brown-gpt2', 'm1'))));
        },
      }),
    );
    const pending = loadModel('brown-gpt2');
    let { load } = useStore.getState();
    expect(load.status).toBe('loading');
    expect(load.shippedId).toBe('brown-gpt2');
    // The model card is not read by a load, so it gets no bar.
    expect(load.progress?.files.map((f) => [f.file, f.loaded, f.total])).toEqual([
      ['config.json', 0, 100],
      ['model.safetensors', 0, 1000],
      ['tokenizer.json', 0, 50],
    ]);

    await Promise.resolve();
    report({
      files: [fileReport('config.json', 100, 100), fileReport('model.safetensors', 500, 1000)],
      loaded: 600,
      total: 1100,
      bytesPerSecond: 1000,
      etaSeconds: 0.5,
      done: false,
    });
    load = useStore.getState().load;
    expect(load.progress).toMatchObject({ loaded: 600, total: 1150, done: false, bytesPerSecond: 1000 });
    expect(load.progress?.etaSeconds).toBeCloseTo(0.55);
    expect(load.progress?.files.map((f) => f.loaded)).toEqual([100, 500, 0]);

    finish();
    expect(await pending).toMatchObject({ handle: 'm1' });
    load = useStore.getState().load;
    expect(load.status).toBe('loaded');
    expect(load.progress).toMatchObject({ loaded: 1150, total: 1150, done: true, etaSeconds: 0 });
    expect(load.progress?.files.every((f) => f.done && f.loaded === f.total)).toBe(true);
    expect(useStore.getState().model?.handle).toBe('m1');
    expect(useStore.getState().ui.view).toBe('model');

    // A report arriving after the result changes nothing.
    report({ files: [], loaded: 0, total: 0, bytesPerSecond: 0, etaSeconds: null, done: false });
    expect(useStore.getState().load.progress?.loaded).toBe(1150);
  });

  it('keeps the engine’s message and hint word for word, and stays usable', async () => {
    const err = new StepwiseError(
      'bad-file',
      'picked files/model.safetensors: the file is truncated',
      'download it again',
    );
    let fail = true;
    setEngineClientFactory(() =>
      fakeClient({
        loadModel: async () => {
          if (fail) throw err;
          return info('brown-gpt2', 'm2');
        },
      }),
    );
    const files = { kind: 'files' as const, name: 'picked files', files: [] };
    expect(await loadModel(files)).toBeNull();
    const { load } = useStore.getState();
    expect(load.status).toBe('error');
    expect(load.label).toBe('0 picked files');
    expect(load.error).toMatchObject({ code: 'bad-file', message: err.message, hint: err.hint });

    fail = false;
    expect(await loadModel('brown-gpt2')).toMatchObject({ handle: 'm2' });
    expect(useStore.getState().load).toMatchObject({ status: 'loaded', error: null });
  });

  it('marks a cancelled load as cancelled, not as an error', async () => {
    let reject!: (e: unknown) => void;
    const cancelLoad = vi.fn(async () => reject(new StepwiseError('cancelled', 'download of x cancelled')));
    setEngineClientFactory(() => fakeClient({ loadModel: () => new Promise((_, r) => (reject = r)), cancelLoad }));
    const pending = loadModel('https://example.org/m/');
    await Promise.resolve();
    await cancelModelLoad();
    expect(await pending).toBeNull();
    expect(cancelLoad).toHaveBeenCalledTimes(1);
    expect(useStore.getState().load).toMatchObject({ status: 'cancelled', error: null });
  });

  it('frees the previous model once the next one is in, and ignores a replaced load', async () => {
    const resolvers: Array<(i: LoadedModelInfo) => void> = [];
    const unloadModel = vi.fn(async (_handle: string) => {});
    setEngineClientFactory(() =>
      fakeClient({
        loadModel: () => new Promise((resolve) => resolvers.push(resolve)),
        unloadModel,
        cachedModels: async () => [],
        storage: async () => ({ persisted: null, usage: null, quota: null }),
      }),
    );
    const first = loadModel('brown-gpt2');
    await Promise.resolve();
    resolvers[0](info('brown-gpt2', 'm1'));
    await first;

    const older = loadModel('https://example.org/a/');
    await Promise.resolve();
    const newer = loadModel('https://example.org/b/');
    await Promise.resolve();
    resolvers[1](info('https://example.org/a/', 'm2')); // the replaced load finishes first
    expect(await older).toBeNull();
    expect(useStore.getState().model?.handle).toBe('m1');
    expect(useStore.getState().load).toMatchObject({ status: 'loading', label: 'https://example.org/b/' });

    resolvers[2](info('https://example.org/b/', 'm3'));
    expect(await newer).toMatchObject({ handle: 'm3' });
    await vi.waitFor(() => expect(unloadModel.mock.calls.map((c) => c[0]).sort()).toEqual(['m1', 'm2']));
    expect(useStore.getState().model?.handle).toBe('m3');
  });

  it('reports a failure before a load as a load error', () => {
    reportLoadError('the dropped files', new Error('NotReadableError'));
    expect(useStore.getState().load).toMatchObject({
      status: 'error',
      label: 'the dropped files',
      error: { message: 'NotReadableError' },
    });
  });
});

describe('progress helpers', () => {
  it('completes every file', () => {
    const p = completeProgress({
      files: [fileReport('a', 3, 10), { ...fileReport('b', 4, 4), total: null }],
      loaded: 7,
      total: null,
      bytesPerSecond: 5,
      etaSeconds: null,
      done: false,
    });
    expect(p).toMatchObject({ loaded: 14, total: 14, done: true, etaSeconds: 0 });
    expect(completeProgress(null)).toMatchObject({ files: [], loaded: 0, total: 0, done: true });
  });

  it('passes a report through when nothing was known up front', () => {
    const r: LoadProgress = {
      files: [fileReport('a', 1, 2)],
      loaded: 1,
      total: 2,
      bytesPerSecond: 1,
      etaSeconds: 1,
      done: false,
    };
    expect(mergeProgress(null, r)).toBe(r);
  });

  it('labels sources', () => {
    expect(sourceLabel(' brown-gpt2 ')).toBe('brown-gpt2');
    const blob = new Blob(['x']);
    expect(sourceLabel({ kind: 'files', name: 'brown-gpt2', files: [{ path: 'config.json', file: blob }] })).toBe(
      'folder brown-gpt2 (1 file)',
    );
    expect(sourceLabel({ kind: 'files', name: 'dropped files', files: [{ path: 'a', file: blob }] })).toBe(
      '1 dropped file',
    );
  });
});

describe('the cache', () => {
  const ROW: CachedModelRow = {
    source: 'brown-gpt2',
    revision: 'main',
    bytes: 1150,
    files: 3,
    complete: true,
    storedAt: 1,
  };
  const STORAGE: StorageState = { persisted: false, usage: 2000, quota: 1e9 };

  it('lists, deletes and refreshes', async () => {
    let rows = [ROW];
    const deleteCached = vi.fn(async (source: string) => {
      rows = rows.filter((r) => r.source !== source);
    });
    setEngineClientFactory(() =>
      fakeClient({ cachedModels: async () => rows, storage: async () => STORAGE, deleteCachedModel: deleteCached }),
    );
    await refreshCache();
    expect(useStore.getState().cache).toMatchObject({ status: 'ready', rows: [ROW], storage: STORAGE });
    await deleteCachedModel('brown-gpt2');
    expect(deleteCached).toHaveBeenCalledWith('brown-gpt2');
    expect(useStore.getState().cache).toMatchObject({ status: 'ready', rows: [], deleting: null });
  });

  it('keeps a failure as an error', async () => {
    setEngineClientFactory(() =>
      fakeClient({ cachedModels: () => Promise.reject(new StepwiseError('internal', 'IndexedDB is closed')) }),
    );
    await refreshCache();
    expect(useStore.getState().cache).toMatchObject({ status: 'error', error: { message: 'IndexedDB is closed' } });
  });

  it('asks the page for persistence (the worker cannot) and records the answer', async () => {
    const persist = vi.fn(async () => true);
    vi.stubGlobal('navigator', { gpu: {}, storage: { persist } });
    const storage = vi.fn(async () => ({ ...STORAGE, persisted: true }));
    setEngineClientFactory(() => fakeClient({ storage }));
    await keepModelsOffline();
    expect(persist).toHaveBeenCalledTimes(1);
    expect(storage).toHaveBeenCalledWith();
    expect(useStore.getState().cache).toMatchObject({
      persistAsked: true,
      persistGranted: true,
      storage: { persisted: true },
    });
  });

  it('falls back to what the engine sees when the page cannot ask', async () => {
    setEngineClientFactory(() => fakeClient({ storage: async () => STORAGE }));
    await keepModelsOffline();
    expect(useStore.getState().cache).toMatchObject({ persistAsked: true, persistGranted: false });
  });
});
