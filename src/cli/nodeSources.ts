// Model sources for the command line: shipped ids, folders, URLs and Hugging Face ids, with download
// progress also drawn on the terminal's progress line. No cache: files on disk need none.

import type { ModelSources } from '../engine/sources.ts';
import type { ProgressCallback } from '../formats/progress.ts';
import { resolveNodeSource } from '../formats/nodeResolve.ts';
import { badInput } from '../shared/errors.ts';

export function nodeSources(line: { onProgress: ProgressCallback }, interrupt: AbortSignal): ModelSources {
  return {
    async resolve(source, { onProgress, signal }) {
      if (typeof source !== 'string')
        throw badInput('picked or dropped files are a browser feature; give a folder path');
      const folder = await resolveNodeSource(source, {
        onProgress: (r) => {
          onProgress(r);
          line.onProgress(r);
        },
        signal: AbortSignal.any([signal, interrupt]),
      });
      return { folder };
    },
  };
}
