// Actions for models and the weight cache: list the shipped models, load a model (shipped id, URL,
// Hugging Face id, or picked / dropped files) with progress and cancellation, and read or prune the
// cache. Every failure lands in the store as ErrorData (message and hint as the engine wrote them);
// none escapes as an unhandled rejection.

import type { FileProgress, LoadedModelInfo, LoadProgress, ModelSource } from '../engine/api.ts';
import { StepwiseError, toErrorData } from '../shared/errors.ts';
import { engine } from './actions.ts';
import type { ShippedModelEntry } from './modelsSlice.ts';
import { useStore } from './store.ts';

const now = (): number => (typeof performance === 'undefined' ? Date.now() : performance.now());

/** Handles of models this page loaded that are no longer shown: freed after the next load succeeds. */
const stale = new Set<string>();

// ---- shipped models ------------------------------------------------------------------------------

/** Where the index of shipped models lives, next to the app (the service worker precaches it). */
export function shippedIndexUrl(): string {
  const base = import.meta.env.BASE_URL ?? '/';
  const here = typeof location === 'undefined' ? 'http://localhost/' : location.href;
  return new URL(`${base}models/index.json`, here).href;
}

/** Reads models/index.json once (again after a failure). The engine re-reads it when loading. */
export async function loadShippedModels(fetchImpl: typeof fetch = fetch): Promise<void> {
  const state = useStore.getState();
  if (state.shipped.status === 'loading' || state.shipped.status === 'ready') return;
  state.shippedLoading();
  const url = shippedIndexUrl();
  try {
    let res: Response;
    try {
      res = await fetchImpl(url);
    } catch (e) {
      throw new StepwiseError(
        'network',
        `could not read the list of shipped models (${url}): ${(e as Error).message}`,
        'check the connection and reload the page',
      );
    }
    if (!res.ok) {
      throw new StepwiseError('network', `could not read the list of shipped models: ${url} answered ${res.status}`);
    }
    useStore.getState().shippedReady(parseShippedList(await res.text(), url));
  } catch (e) {
    useStore.getState().shippedFailed(toErrorData(e));
  }
}

/** The entries of models/index.json the UI needs. The engine validates the index fully when it loads. */
export function parseShippedList(text: string, file = 'models/index.json'): ShippedModelEntry[] {
  const bad = (problem: string): StepwiseError =>
    new StepwiseError('bad-file', `${file}: ${problem}`, 'the app was built with a broken model index');
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  const models = (root as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) throw bad('"models" must be an array');
  return models.map((m: unknown, i): ShippedModelEntry => {
    const r = (m ?? {}) as Record<string, unknown>;
    if (typeof r.id !== 'string' || r.id === '') throw bad(`models[${i}].id must be a non-empty string`);
    const files = Array.isArray(r.files)
      ? r.files.map((f: unknown) => {
          const ff = (f ?? {}) as Record<string, unknown>;
          return { path: String(ff.path), size: typeof ff.size === 'number' ? ff.size : 0 };
        })
      : [];
    return {
      id: r.id,
      task: typeof r.task === 'string' ? r.task : null,
      modelType: typeof r.modelType === 'string' ? r.modelType : 'unknown',
      description: typeof r.description === 'string' ? r.description : '',
      bytes: typeof r.bytes === 'number' ? r.bytes : files.reduce((n, f) => n + f.size, 0),
      files,
    };
  });
}

// ---- loading ---------------------------------------------------------------------------------------

/** How a source reads in the UI: the string itself; "folder brown-gpt2 (4 files)"; "3 picked files". */
export function sourceLabel(source: ModelSource): string {
  if (typeof source === 'string') return source.trim();
  const n = source.files.length;
  const loose = /^(picked|dropped) files$/.exec(source.name);
  if (loose) return n === 1 ? `1 ${loose[1]} file` : `${n} ${source.name}`;
  return `folder ${source.name} (${n} file${n === 1 ? '' : 's'})`;
}

/** Files a model load reads (config, weights or their shards and index, tokenizer); a model card or
 *  sample images next to them are not read, so they get no progress bar. */
const READ_BY_LOADER = /^(config\.json|tokenizer\.json|tokenizer_config\.json|[^/]+\.safetensors(\.index\.json)?)$/;

/** Progress before the first report: the files a load will read, of a shipped model or of picked
 *  files, at 0 bytes. */
function initialProgress(source: ModelSource, shipped: ShippedModelEntry | undefined): LoadProgress | null {
  const all =
    typeof source === 'string'
      ? shipped?.files.map((f) => ({ file: f.path, total: f.size }))
      : source.files.map((f) => ({ file: f.path, total: f.file.size }));
  const files = all?.filter((f) => READ_BY_LOADER.test(f.file));
  if (!files || files.length === 0) return null;
  return {
    files: files.map((f) => ({ ...f, loaded: 0, bytesPerSecond: 0, etaSeconds: null, done: false })),
    loaded: 0,
    total: files.reduce((n, f) => n + f.total, 0),
    bytesPerSecond: 0,
    etaSeconds: null,
    done: false,
  };
}

/** The engine's report laid over the files known from the start (a report lists only files seen so far). */
export function mergeProgress(known: LoadProgress | null, report: LoadProgress): LoadProgress {
  if (!known || known.files.length === 0) return report;
  const byName = new Map<string, FileProgress>(known.files.map((f) => [f.file, f]));
  for (const f of report.files) byName.set(f.file, f);
  const files = [...byName.values()];
  const loaded = files.reduce((n, f) => n + f.loaded, 0);
  const total = files.some((f) => f.total === null) ? null : files.reduce((n, f) => n + (f.total ?? 0), 0);
  const rate = report.bytesPerSecond;
  const done = files.every((f) => f.done);
  const etaSeconds = done ? 0 : total !== null && rate > 0 ? Math.max(0, (total - loaded) / rate) : null;
  return { files, loaded, total, bytesPerSecond: rate, etaSeconds, done };
}

/**
 * Loads a model onto the GPU and makes it the page's model; the previous one is freed once this one is
 * in. Resolves to the model, or null when the load failed, was cancelled or was replaced by a newer
 * one (the store says which). Never rejects.
 */
export async function loadModel(source: ModelSource): Promise<LoadedModelInfo | null> {
  const state = useStore.getState();
  const shippedId =
    typeof source === 'string' && state.shipped.models.some((m) => m.id === source.trim()) ? source.trim() : null;
  const known = initialProgress(
    source,
    state.shipped.models.find((m) => m.id === shippedId),
  );
  const loadId = state.loadStarted(sourceLabel(source), shippedId, known, now());
  let info: LoadedModelInfo;
  try {
    info = await engine().loadModel(source, (p) => {
      useStore.getState().loadProgress(loadId, mergeProgress(known, p));
    });
  } catch (e) {
    useStore.getState().loadFailed(loadId, toErrorData(e), now());
    return null;
  }
  const after = useStore.getState();
  if (after.load.loadId !== loadId) {
    // A newer load replaced this one while the GPU took its weights: keep it until that one is in.
    if (after.model?.handle !== info.handle) stale.add(info.handle);
    return null;
  }
  const previous = after.model;
  after.loadFinished(loadId, info, now());
  if (previous && previous.handle !== info.handle) stale.add(previous.handle);
  stale.delete(info.handle);
  void freeStale();
  if (useStore.getState().ui.view === 'overview') useStore.getState().showView('model');
  void refreshCache();
  return info;
}

/** Shows a failure that happened before a load could start (e.g. dropped files that cannot be read). */
export function reportLoadError(label: string, error: unknown): void {
  const { loadStarted } = useStore.getState();
  const loadId = loadStarted(label, null, null, now());
  useStore.getState().loadFailed(loadId, toErrorData(error), now());
}

async function freeStale(): Promise<void> {
  for (const handle of [...stale]) {
    stale.delete(handle);
    try {
      await engine().unloadModel(handle);
    } catch {
      // The worker may have stopped; nothing left to free then.
    }
  }
}

/** Cancels the load in flight (its promise resolves to null, the store says 'cancelled'). */
export async function cancelModelLoad(): Promise<void> {
  if (useStore.getState().load.status !== 'loading') return;
  try {
    await engine().cancelLoad();
  } catch (e) {
    const { load, loadFailed } = useStore.getState();
    loadFailed(load.loadId, toErrorData(e), now());
  }
}

// ---- the weight cache ------------------------------------------------------------------------------

/** Reads the cached models and the storage estimate. */
export async function refreshCache(): Promise<void> {
  useStore.getState().cacheLoading();
  try {
    const [rows, storage] = await Promise.all([engine().cachedModels(), engine().storage()]);
    useStore.getState().cacheReady(rows, storage);
  } catch (e) {
    useStore.getState().cacheFailed(toErrorData(e));
  }
}

export async function deleteCachedModel(source: string): Promise<void> {
  useStore.getState().cacheDeleting(source);
  try {
    await engine().deleteCachedModel(source);
  } catch (e) {
    useStore.getState().cacheFailed(toErrorData(e));
    return;
  } finally {
    useStore.getState().cacheDeleting(null);
  }
  await refreshCache();
}

/** Asks the browser to keep this origin's storage (the cached weights) from eviction. */
export async function keepModelsOffline(): Promise<void> {
  // StorageManager.persist() exists only on the page (Window), not in the engine's worker: ask here,
  // then let the engine report the state it sees.
  let granted: boolean | null = null;
  try {
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    if (storage?.persist) granted = await storage.persist();
  } catch {
    granted = null;
  }
  try {
    const state = await engine().storage();
    useStore.getState().cachePersisted(granted ?? state.persisted, state);
  } catch (e) {
    useStore.getState().cacheFailed(toErrorData(e));
  }
}
