// What the engine needs from its surroundings to find models: a resolver from a source to a model
// folder (with per-file progress and cancellation), and optionally a cache it can list and prune.
// Node and the browser each provide their own (cli/main.ts, worker/worker.ts).

import type { ModelFolder } from '../formats/modelFolder.ts';
import type { FileReport } from '../formats/progress.ts';
import { StepwiseError } from '../shared/errors.ts';
import type { CachedModelRow, ModelSource, StorageState } from './api.ts';

export interface ResolveOptions {
  onProgress: (report: FileReport) => void; // per-file reports; the engine sums them for its caller
  signal: AbortSignal;
}

export interface ResolvedFolder {
  folder: ModelFolder; // where the model is loaded from (through the cache, when there is one)
  /** A lazy view of the same files, read before `folder` so that headers can be checked before a
   *  whole weights file is downloaded into the cache. Absent when `folder` is already lazy or local. */
  probe?: ModelFolder;
}

export interface ModelSources {
  resolve(source: ModelSource, options: ResolveOptions): Promise<ResolvedFolder>;
  cachedModels?(): Promise<CachedModelRow[]>;
  deleteCachedModel?(source: string): Promise<void>;
  storage?(): Promise<StorageState>;
}

/** Sources for an engine that only computes (tests): every lookup is an error. */
export const NO_SOURCES: ModelSources = {
  resolve: async (source) => {
    throw new StepwiseError(
      'not-found',
      `cannot open ${typeof source === 'string' ? `"${source}"` : source.name}: this engine has no model sources`,
    );
  },
};
