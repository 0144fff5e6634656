// Where a model source string points, in Node: a shipped model id (public/models/<id>/), a folder on
// disk, a URL prefix of a model folder, or a Hugging Face id org/name[@revision] (see sourceString.ts).
// A bare word or an org/name string that names an existing folder is that folder (as with
// transformers' from_pretrained); write ./name to force a path.

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { notFound } from './fileErrors.ts';
import { httpFolder } from './httpFolder.ts';
import type { FetchLike } from './httpSource.ts';
import { HF_ENDPOINT, openHubFolder } from './hub.ts';
import type { ModelFolder } from './modelFolder.ts';
import { nodeFolder } from './nodeFolder.ts';
import type { ProgressCallback, ProgressOptions } from './progress.ts';
import { classifySource } from './sourceString.ts';

/** Folder holding the shipped demo models (public/models of this checkout). */
export const SHIPPED_DIR = resolve(new URL('../../public/models', import.meta.url).pathname);

export interface NodeSourceOptions {
  /** Per-file download progress of URL and Hugging Face sources (see progress.ts). */
  onProgress?: ProgressCallback;
  progress?: ProgressOptions;
  /** Cancels the downloads of the folder ('cancelled' errors). */
  signal?: AbortSignal;
  fetch?: FetchLike;
  /** Hugging Face endpoint; default $HF_ENDPOINT, else https://huggingface.co. */
  hfEndpoint?: string;
  /** Access token for private / gated Hugging Face models; default $HF_TOKEN. */
  hfToken?: string;
  /** Where shipped models live (default SHIPPED_DIR). */
  shippedDir?: string;
}

export async function resolveNodeSource(source: string, options: NodeSourceOptions = {}): Promise<ModelFolder> {
  const spec = classifySource(source, { paths: true });
  const shippedDir = options.shippedDir ?? SHIPPED_DIR;
  const http = {
    onProgress: options.onProgress,
    progress: options.progress,
    signal: options.signal,
    fetch: options.fetch,
  };
  switch (spec.kind) {
    case 'url':
      return httpFolder(spec.url, http);
    case 'shipped':
      if (isDir(resolve(shippedDir, spec.id))) return nodeFolder(resolve(shippedDir, spec.id));
      return localFolder(source, true);
    case 'hub':
      if (existsSync(source)) return localFolder(source, false);
      return openHubFolder(spec.hub, {
        ...http,
        endpoint: options.hfEndpoint ?? (process.env.HF_ENDPOINT || HF_ENDPOINT),
        token: options.hfToken ?? (process.env.HF_TOKEN || undefined),
      });
    case 'path':
      return localFolder(source, false);
  }
}

function localFolder(source: string, shippedLike: boolean): ModelFolder {
  if (existsSync(source)) {
    if (!statSync(source).isDirectory()) {
      throw notFound(
        source,
        'is a file, not a model folder',
        'give the folder that holds config.json and model.safetensors',
      );
    }
    return nodeFolder(source);
  }
  throw notFound(
    source,
    shippedLike ? 'no shipped model or folder of that name' : 'no such folder',
    'give a shipped model id (e.g. brown-gpt2), a folder, a URL, or a Hugging Face id org/name[@revision]',
  );
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
