// A ModelFolder over a directory on disk (Node only: the CLI, tests and tools). Tensor data is read
// with positioned reads, so opening a multi-gigabyte checkpoint reads only its header.

import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteSource } from './byteSource.ts';
import { notFound } from './fileErrors.ts';
import type { ModelFolder } from './modelFolder.ts';

/** A folder on disk; `name` in messages is the directory path. */
export function nodeFolder(dir: string): ModelFolder {
  return {
    name: dir,
    async open(path) {
      const full = join(dir, path);
      try {
        const s = await stat(full);
        return s.isFile() ? nodeFileSource(full, path, s.size) : null;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw notFound(full, `cannot be read (${code ?? String(e)})`, 'check the path and its permissions');
      }
    },
  };
}

/** A ByteSource over one file; each read opens, reads and closes it. */
export function nodeFileSource(fullPath: string, name: string, size: number): ByteSource {
  return {
    name,
    size,
    async read(offset, length) {
      const handle = await open(fullPath, 'r');
      try {
        const buf = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
        let done = 0;
        while (done < buf.byteLength) {
          const { bytesRead } = await handle.read(buf, done, buf.byteLength - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return buf.subarray(0, done);
      } finally {
        await handle.close();
      }
    },
  };
}
