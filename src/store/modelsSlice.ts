// Models: the shipped models the app lists (models/index.json), the load in flight with its progress,
// the model loaded onto the GPU, and the last load's error. One load at a time: a new load replaces
// the one in flight (the engine cancels it), and `loadId` keeps late answers of an old load out.

import type { ErrorData, LoadedModelInfo, LoadProgress } from '../engine/api.ts';
import type { SliceCreator } from './types.ts';

/** A model shipped with the app, as models/index.json lists it. */
export interface ShippedModelEntry {
  id: string;
  task: string | null;
  modelType: string;
  description: string;
  bytes: number; // all its files together
  files: Array<{ path: string; size: number }>;
}

export type ShippedListStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ShippedListState {
  status: ShippedListStatus;
  models: ShippedModelEntry[];
  error: ErrorData | null;
}

export type LoadStatus = 'idle' | 'loading' | 'loaded' | 'error' | 'cancelled';

export interface LoadState {
  status: LoadStatus;
  /** What is being (or was last) loaded, for people: a shipped id, a URL, "config.json + 2 files". */
  label: string;
  /** The shipped id when the source is one (the Model select shows it), else null. */
  shippedId: string | null;
  progress: LoadProgress | null;
  error: ErrorData | null;
  loadId: number; // increases with every load; answers for an older id are ignored
  startedAt: number | null; // ms, performance.now()
  finishedAt: number | null;
}

export interface ModelsSlice {
  shipped: ShippedListState;
  load: LoadState;
  /** The model on the GPU, or null. Generation views use its `handle`. */
  model: LoadedModelInfo | null;
  shippedLoading(): void;
  shippedReady(models: ShippedModelEntry[]): void;
  shippedFailed(error: ErrorData): void;
  loadStarted(label: string, shippedId: string | null, progress: LoadProgress | null, now: number): number;
  loadProgress(loadId: number, progress: LoadProgress): void;
  loadFinished(loadId: number, model: LoadedModelInfo, now: number): void;
  loadFailed(loadId: number, error: ErrorData, now: number): void;
  modelUnloaded(handle: string): void;
}

export const initialShipped: ShippedListState = { status: 'idle', models: [], error: null };

export const initialLoad: LoadState = {
  status: 'idle',
  label: '',
  shippedId: null,
  progress: null,
  error: null,
  loadId: 0,
  startedAt: null,
  finishedAt: null,
};

/** The same progress with every file (and the whole) complete: what the bars show once loaded. */
export function completeProgress(p: LoadProgress | null): LoadProgress {
  const files = (p?.files ?? []).map((f) => {
    const total = f.total ?? f.loaded;
    return { ...f, loaded: total, total, etaSeconds: 0, done: true };
  });
  const total = files.length > 0 ? files.reduce((n, f) => n + (f.total ?? 0), 0) : (p?.total ?? p?.loaded ?? 0);
  return { files, loaded: total, total, bytesPerSecond: p?.bytesPerSecond ?? 0, etaSeconds: 0, done: true };
}

export const createModelsSlice: SliceCreator<ModelsSlice> = (set, get) => ({
  shipped: initialShipped,
  load: initialLoad,
  model: null,
  shippedLoading: () => set((s) => ({ shipped: { ...s.shipped, status: 'loading', error: null } })),
  shippedReady: (models) => set({ shipped: { status: 'ready', models, error: null } }),
  shippedFailed: (error) => set({ shipped: { status: 'error', models: [], error } }),
  loadStarted: (label, shippedId, progress, now) => {
    const loadId = get().load.loadId + 1;
    set({
      load: { status: 'loading', label, shippedId, progress, error: null, loadId, startedAt: now, finishedAt: null },
    });
    return loadId;
  },
  loadProgress: (loadId, progress) =>
    set((s) => {
      // Progress travels on its own channel and may land after the result, or belong to an older load.
      if (s.load.loadId !== loadId || s.load.status !== 'loading') return s;
      return { load: { ...s.load, progress } };
    }),
  loadFinished: (loadId, model, now) =>
    set((s) => {
      if (s.load.loadId !== loadId) return s;
      return {
        model,
        load: { ...s.load, status: 'loaded', progress: completeProgress(s.load.progress), finishedAt: now },
      };
    }),
  loadFailed: (loadId, error, now) =>
    set((s) => {
      if (s.load.loadId !== loadId) return s;
      const status = error.code === 'cancelled' ? 'cancelled' : 'error';
      return { load: { ...s.load, status, error: status === 'error' ? error : null, finishedAt: now } };
    }),
  modelUnloaded: (handle) => set((s) => (s.model?.handle === handle ? { model: null } : s)),
});
