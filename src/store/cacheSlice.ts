// The weight cache as the Cache panel shows it: the models kept in IndexedDB, the origin's storage
// use and quota, and whether the browser agreed to keep the cache from eviction.

import type { CachedModelRow, ErrorData, StorageState } from '../engine/api.ts';
import type { SliceCreator } from './types.ts';

export interface CacheState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  rows: CachedModelRow[];
  storage: StorageState | null;
  error: ErrorData | null;
  deleting: string | null; // the source being deleted
  /** The answer to "Keep models offline": null until asked (or when the browser cannot be asked). */
  persistGranted: boolean | null;
  persistAsked: boolean;
}

export interface CacheSlice {
  cache: CacheState;
  cacheLoading(): void;
  cacheReady(rows: CachedModelRow[], storage: StorageState): void;
  cacheFailed(error: ErrorData): void;
  cacheDeleting(source: string | null): void;
  cachePersisted(granted: boolean | null, storage: StorageState): void;
}

export const initialCache: CacheState = {
  status: 'idle',
  rows: [],
  storage: null,
  error: null,
  deleting: null,
  persistGranted: null,
  persistAsked: false,
};

export const createCacheSlice: SliceCreator<CacheSlice> = (set) => ({
  cache: initialCache,
  cacheLoading: () => set((s) => ({ cache: { ...s.cache, status: 'loading', error: null } })),
  cacheReady: (rows, storage) => set((s) => ({ cache: { ...s.cache, status: 'ready', rows, storage, error: null } })),
  cacheFailed: (error) => set((s) => ({ cache: { ...s.cache, status: 'error', error, deleting: null } })),
  cacheDeleting: (source) => set((s) => ({ cache: { ...s.cache, deleting: source } })),
  cachePersisted: (granted, storage) =>
    set((s) => ({ cache: { ...s.cache, persistGranted: granted, persistAsked: true, storage } })),
});
