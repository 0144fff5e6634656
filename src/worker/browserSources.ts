// Model sources in the browser: shipped models (served with the app, listed in models/index.json),
// any https URL of a model folder, Hugging Face ids (revision pinned to a commit), and files the
// person picked or dropped. Remote files go through the IndexedDB weight cache, so a model downloaded
// once loads offline; a lazy, uncached view (`probe`) lets the engine check headers first.

import type { LocalFiles } from '../engine/api.ts';
import type { ModelSources } from '../engine/sources.ts';
import { blobSource } from '../formats/byteSource.ts';
import { idbStore, type KvStore } from '../formats/cacheStore.ts';
import { notFound } from '../formats/fileErrors.ts';
import { httpFolder } from '../formats/httpFolder.ts';
import { formatHubId, openHubFolder } from '../formats/hub.ts';
import type { ModelFolder } from '../formats/modelFolder.ts';
import { findShippedModel, parseShippedIndex, shippedFolderExpectations } from '../formats/shippedIndex.ts';
import { classifySource } from '../formats/sourceString.ts';
import { cachedFolder, deleteCachedModel, listCachedModels, storageInfo } from '../formats/weightCache.ts';
import { badInput, StepwiseError } from '../shared/errors.ts';

/** `base` is the app's base URL (shipped models live under `${base}models/`). */
export function browserSources(base: string, store: KvStore = idbStore()): ModelSources {
  const modelsUrl = new URL('models/', new URL(base, self.location.href)).href;

  async function isCached(source: string): Promise<boolean> {
    return (await listCachedModels(store)).some((m) => m.source === source && m.complete);
  }

  return {
    async resolve(source, { onProgress, signal }) {
      if (typeof source !== 'string') return { folder: filesFolder(source) };
      const spec = classifySource(source);
      const http = { onProgress, signal };
      switch (spec.kind) {
        case 'shipped': {
          const index = parseShippedIndex(await fetchText(`${modelsUrl}index.json`, signal), 'models/index.json');
          const entry = findShippedModel(index, spec.id);
          if (!entry) {
            throw notFound(
              spec.id,
              'is not a shipped model',
              `shipped models: ${index.models.map((m) => m.id).join(', ') || 'none'}`,
            );
          }
          const raw = httpFolder(`${modelsUrl}${spec.id}/`, http);
          const folder = cachedFolder(raw, {
            store,
            source: spec.id,
            expected: shippedFolderExpectations(entry),
            exhaustive: true,
            onProgress,
            signal,
          });
          return { folder, probe: (await isCached(spec.id)) ? undefined : raw };
        }
        case 'url': {
          const raw = httpFolder(spec.url, http);
          return {
            folder: cachedFolder(raw, { store, source: spec.url, onProgress, signal, revalidate: true }),
            probe: (await isCached(spec.url)) ? undefined : raw,
          };
        }
        case 'hub': {
          const hub = await openHubFolder(spec.hub, http);
          const name = formatHubId({ ...spec.hub, revision: null });
          return {
            folder: cachedFolder(hub, { store, source: name, revision: hub.sha, onProgress, signal }),
            probe: hub,
          };
        }
        case 'path':
          throw badInput(
            `"${source}" is a path; in the browser, pick the folder with "Open files" or drop it on the page`,
          );
      }
    },
    async cachedModels() {
      return (await listCachedModels(store)).map((m) => ({
        source: m.source,
        revision: m.revision,
        bytes: m.bytes,
        files: m.files.length,
        complete: m.complete,
        storedAt: m.storedAt,
      }));
    },
    deleteCachedModel: (source) => deleteCachedModel(store, source),
    storage: () => storageInfo(),
  };
}

async function fetchText(url: string, signal: AbortSignal): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (e) {
    if (signal.aborted) throw new StepwiseError('cancelled', `loading ${url} was cancelled`);
    throw new StepwiseError(
      'network',
      `could not read ${url}: ${(e as Error).message}`,
      'check the connection; once a model is cached it loads offline',
    );
  }
  if (!res.ok) throw new StepwiseError('network', `${url} answered ${res.status} ${res.statusText}`);
  return res.text();
}

/** A folder over picked or dropped files. A common top directory (a picked folder's name) is dropped
 *  from the paths, so "brown-gpt2/config.json" is found as "config.json". */
export function filesFolder(local: LocalFiles): ModelFolder {
  const tops = new Set(local.files.map((f) => (f.path.includes('/') ? f.path.split('/')[0] : '')));
  const strip = tops.size === 1 && !tops.has('') ? [...tops][0].length + 1 : 0;
  const byPath = new Map(local.files.map((f) => [f.path.slice(strip), f.file]));
  return {
    name: local.name,
    open: async (path) => {
      const blob = byPath.get(path);
      return blob ? blobSource(path, blob) : null;
    },
  };
}
