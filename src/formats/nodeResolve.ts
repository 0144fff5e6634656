// Where a model source string points, in Node: a shipped model id (public/models/<id>/), or a folder
// on disk. URLs and Hugging Face ids are resolved by the HTTP sources.

import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { notFound } from './fileErrors.ts';
import type { ModelFolder } from './modelFolder.ts';
import { nodeFolder } from './nodeFolder.ts';

/** Folder holding the shipped demo models (public/models of this checkout). */
export const SHIPPED_DIR = resolve(new URL('../../public/models', import.meta.url).pathname);

const SHIPPED_ID = /^[a-z0-9][a-z0-9-]*$/;

export async function resolveNodeSource(source: string): Promise<ModelFolder> {
  if (SHIPPED_ID.test(source) && existsSync(resolve(SHIPPED_DIR, source))) {
    return nodeFolder(resolve(SHIPPED_DIR, source));
  }
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
    'no shipped model, folder or URL of that name',
    'give a shipped model id (e.g. brown-gpt2), a folder, or a URL',
  );
}
