// Picked and dropped files as LocalFiles: rooted at the folder that holds config.json, hidden files
// left out, dropped folders walked through the entry API (batches included).

import { describe, expect, it } from 'vitest';
import { filesFromEntries, filesFromInput, toLocalFiles } from './localFiles.ts';

const file = (name: string, relative = ''): File => {
  const f = new File(['x'], name);
  Object.defineProperty(f, 'webkitRelativePath', { value: relative });
  return f;
};

const paths = (l: { files: Array<{ path: string }> } | null) => l?.files.map((f) => f.path).sort();

describe('filesFromInput', () => {
  it('takes loose files as they are', () => {
    const local = filesFromInput([file('config.json'), file('model.safetensors')]);
    expect(local?.name).toBe('picked files');
    expect(paths(local)).toEqual(['config.json', 'model.safetensors']);
  });

  it('roots a picked folder at itself, named after it', () => {
    const local = filesFromInput([
      file('config.json', 'brown-gpt2/config.json'),
      file('model.safetensors', 'brown-gpt2/model.safetensors'),
      file('.DS_Store', 'brown-gpt2/.DS_Store'),
    ]);
    expect(local?.name).toBe('brown-gpt2');
    expect(paths(local)).toEqual(['config.json', 'model.safetensors']);
  });

  it('finds the model folder inside a picked parent folder', () => {
    const local = filesFromInput([
      file('notes.txt', 'models/notes.txt'),
      file('config.json', 'models/tiny/config.json'),
      file('model.safetensors', 'models/tiny/model.safetensors'),
      file('x.safetensors', 'models/tiny/shards/x.safetensors'),
    ]);
    expect(local?.name).toBe('tiny');
    expect(paths(local)).toEqual(['config.json', 'model.safetensors', 'shards/x.safetensors']);
  });

  it('gives nothing for nothing', () => {
    expect(filesFromInput([])).toBeNull();
    expect(toLocalFiles([{ path: '.hidden', file: file('.hidden') }], 'x')).toBeNull();
  });
});

/** Fake FileSystemEntry trees, with directory listings in batches of two (as Chromium does, of 100). */
function fileEntry(name: string): FileSystemEntry {
  return {
    name,
    isFile: true,
    isDirectory: false,
    file: (ok: (f: File) => void) => ok(file(name)),
  } as unknown as FileSystemEntry;
}

function dirEntry(name: string, children: FileSystemEntry[]): FileSystemEntry {
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok: (e: FileSystemEntry[]) => void) => {
          ok(children.slice(at, at + 2));
          at += 2;
        },
      };
    },
  } as unknown as FileSystemEntry;
}

describe('filesFromEntries', () => {
  it('walks a dropped folder', async () => {
    const local = await filesFromEntries([
      dirEntry('brown-gpt2', [
        fileEntry('config.json'),
        fileEntry('model.safetensors'),
        fileEntry('tokenizer.json'),
        dirEntry('extra', [fileEntry('a.png')]),
      ]),
    ]);
    expect(local?.name).toBe('brown-gpt2');
    expect(paths(local)).toEqual(['config.json', 'extra/a.png', 'model.safetensors', 'tokenizer.json']);
  });

  it('takes dropped files as they are', async () => {
    const local = await filesFromEntries([fileEntry('config.json'), fileEntry('model.safetensors')]);
    expect(local?.name).toBe('dropped files');
    expect(paths(local)).toEqual(['config.json', 'model.safetensors']);
  });
});
