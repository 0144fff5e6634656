// Model files the person picked (<input type="file" multiple>, or a folder with webkitdirectory) or
// dropped on the page (folders walked with DataTransferItem.webkitGetAsEntry), as the engine's
// LocalFiles. Paths are relative and "/"-separated; when the files hold a config.json deeper down (a
// parent folder was picked), the folder that holds it becomes the root.

import type { LocalFiles } from '../engine/api.ts';

export interface PathedFile {
  path: string;
  file: File;
}

/** Files of a file input: a picked folder keeps its relative paths (webkitRelativePath). */
export function filesFromInput(list: ArrayLike<File>, fallbackName = 'picked files'): LocalFiles | null {
  const files = Array.from(list, (file) => ({ path: file.webkitRelativePath || file.name, file }));
  return toLocalFiles(files, fallbackName);
}

/** Roots the files at the folder holding config.json and names the set after that folder. */
export function toLocalFiles(files: PathedFile[], fallbackName: string): LocalFiles | null {
  const kept = files.filter((f) => !f.path.split('/').some((part) => part.startsWith('.'))); // .DS_Store, .git
  if (kept.length === 0) return null;
  const configs = kept
    .filter((f) => f.path === 'config.json' || f.path.endsWith('/config.json'))
    .sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  const dir = configs.length > 0 ? configs[0].path.slice(0, -'config.json'.length) : commonDir(kept);
  const inside = dir ? kept.filter((f) => f.path.startsWith(dir)) : kept;
  const name = dir ? dir.slice(0, -1).split('/').pop() || fallbackName : fallbackName;
  return { kind: 'files', name, files: inside.map((f) => ({ path: f.path.slice(dir.length), file: f.file })) };
}

/** "a/b/" when every path starts with it, else "". */
function commonDir(files: PathedFile[]): string {
  const dirs = files.map((f) => f.path.split('/').slice(0, -1));
  let n = 0;
  while (dirs.every((d) => d.length > n && d[n] === dirs[0][n])) n++;
  return n === 0 ? '' : `${dirs[0].slice(0, n).join('/')}/`;
}

/** Whether a drag carries files (not text or a link). */
export function dragHasFiles(dt: DataTransfer | null): boolean {
  return !!dt && Array.from(dt.types).includes('Files');
}

/**
 * The files of a drop: folders are walked. Must be called while the drop event is dispatched (the
 * browser empties the DataTransfer afterwards); the walk itself continues asynchronously.
 */
export function filesFromDrop(dt: DataTransfer): Promise<LocalFiles | null> {
  const items = Array.from(dt.items).filter((item) => item.kind === 'file');
  const entries = items.map((item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((e) => e === null)) {
    // No entry API (or not for every item): the plain files, without folders.
    return Promise.resolve(
      toLocalFiles(
        Array.from(dt.files, (file) => ({ path: file.name, file })),
        'dropped files',
      ),
    );
  }
  return filesFromEntries(entries as FileSystemEntry[]);
}

/** Walks dropped entries (files and folders) into LocalFiles. */
export async function filesFromEntries(entries: FileSystemEntry[]): Promise<LocalFiles | null> {
  const out: PathedFile[] = [];
  for (const entry of entries) await walk(entry, '', out);
  const single = entries.length === 1 && entries[0].isDirectory ? entries[0].name : null;
  return toLocalFiles(out, single ?? 'dropped files');
}

async function walk(entry: FileSystemEntry, prefix: string, out: PathedFile[]): Promise<void> {
  const path = `${prefix}${entry.name}`;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path, file });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries answers in batches (100 in Chromium) until it returns an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, `${path}/`, out);
    }
  }
}
