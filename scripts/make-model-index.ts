// Writes public/models/index.json, the index of the shipped models: every folder public/models/<id>/
// that holds a config.json is a model; the index records its id, task (config.json stepwise.task),
// model_type, a description (config.json stepwise.description, else the first paragraph of README.md)
// and every file with size and SHA-256. Output is deterministic: models sorted by id, files by path,
// no dates. With no model folders it writes {"models": []}.
//
//   node --import tsx scripts/make-model-index.ts [--dir public/models] [--check]
//
// --check writes nothing and exits 1 when the index on disk is not what this script would write.
// The functions are exported so tests index folders in a temp dir without spawning a process.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseJsonObject } from '../src/formats/json.ts';
import {
  parseShippedIndex,
  type ShippedFile,
  type ShippedIndex,
  type ShippedModel,
} from '../src/formats/shippedIndex.ts';
import { parseGeneratorArgs } from './generatorArgs.ts';

export const INDEX_NAME = 'index.json';
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../public/models/', import.meta.url));

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The index of the model folders under `modelsDir` (an absent directory has none). */
export async function buildModelIndex(modelsDir: string): Promise<ShippedIndex> {
  let entries;
  try {
    entries = await readdir(modelsDir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { models: [] };
    throw e;
  }
  const models: ShippedModel[] = [];
  for (const entry of entries.sort((a, b) => compare(a.name, b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const model = await indexModel(join(modelsDir, entry.name), entry.name);
    if (model) models.push(model);
  }
  return { models };
}

/** One model folder, or null when it has no config.json (not a model). */
export async function indexModel(dir: string, id: string): Promise<ShippedModel | null> {
  const paths = await listFiles(dir);
  if (!paths.includes('config.json')) return null;
  const configFile = `${id}/config.json`;
  const config = parseJsonObject(await readFile(join(dir, 'config.json')), configFile);
  const modelType = config.model_type;
  if (typeof modelType !== 'string' || modelType === '') {
    throw new Error(`${configFile}: model_type must be a non-empty string`);
  }
  const stepwise =
    typeof config.stepwise === 'object' && config.stepwise !== null && !Array.isArray(config.stepwise)
      ? (config.stepwise as Record<string, unknown>)
      : {};
  const task = typeof stepwise.task === 'string' ? stepwise.task : null;
  let description = typeof stepwise.description === 'string' ? stepwise.description.trim() : '';
  if (!description && paths.includes('README.md')) {
    description = firstParagraph(await readFile(join(dir, 'README.md'), 'utf8'));
  }
  const files: ShippedFile[] = [];
  for (const path of paths) {
    const { size, sha256 } = await hashFile(join(dir, ...path.split('/')));
    files.push({ path, size, sha256 });
  }
  return { id, task, modelType, description, files, bytes: files.reduce((s, f) => s + f.size, 0) };
}

/**
 * The first paragraph of prose of a model card: after any YAML front matter, skipping headings, images,
 * badges, HTML comments and blank lines; its lines joined with spaces.
 */
export function firstParagraph(markdown: string): string {
  let lines = markdown.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, i) => i > 0 && (l.trim() === '---' || l.trim() === '...'));
    if (end > 0) lines = lines.slice(end + 1);
  }
  const paragraph: string[] = [];
  let inComment = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (inComment) {
      if (line.includes('-->')) inComment = false;
      continue;
    }
    if (line.startsWith('<!--')) {
      inComment = !line.includes('-->');
      continue;
    }
    const bare = line
      .replace(/\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)/g, '') // badges: [![alt](image)](link)
      .replace(/!\[[^\]]*\]\([^)]*\)/g, '') // images
      .replace(/<[^>]*>/g, '') // HTML tags
      .trim();
    if (line.startsWith('#') || /^([-*_]\s*){3,}$/.test(line) || bare === '') {
      if (paragraph.length > 0) break;
      continue;
    }
    paragraph.push(line);
  }
  return paragraph.join(' ');
}

/** Files under `dir`, relative, "/"-separated, sorted; hidden files and folders are left out. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(join(dir, e.name), rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort(compare);
}

async function hashFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).byteLength;
  }
  return { size, sha256: hash.digest('hex') };
}

/** The index as written: two-space JSON with a final newline. */
export function renderModelIndex(index: ShippedIndex): string {
  return `${JSON.stringify(index, null, 2)}\n`;
}

/** Builds the index of `modelsDir`, checks it parses, writes `modelsDir/index.json`; returns the text. */
export async function writeModelIndex(modelsDir: string): Promise<string> {
  const text = renderModelIndex(await buildModelIndex(modelsDir));
  parseShippedIndex(text, join(modelsDir, INDEX_NAME)); // what the app will read must parse
  await mkdir(modelsDir, { recursive: true });
  await writeFile(join(modelsDir, INDEX_NAME), text);
  return text;
}

async function main(argv: string[]): Promise<number> {
  const usage = 'usage: node --import tsx scripts/make-model-index.ts [--dir public/models] [--check]';
  const args = parseGeneratorArgs(argv, '--dir', DEFAULT_MODELS_DIR, usage);
  if (args.help) {
    console.log(usage);
    return 0;
  }
  const { path: dir, check } = args;
  const indexPath = join(dir, INDEX_NAME);
  if (check) {
    const want = renderModelIndex(await buildModelIndex(dir));
    const have = await readFile(indexPath, 'utf8').catch(() => null);
    if (have === want) {
      console.error(`${indexPath} is up to date`);
      return 0;
    }
    console.error(`${indexPath} is out of date: run node --import tsx scripts/make-model-index.ts`);
    return 1;
  }
  const text = await writeModelIndex(dir);
  const index = parseShippedIndex(text, indexPath);
  const total = index.models.reduce((s, m) => s + m.bytes, 0);
  console.error(`wrote ${indexPath}: ${index.models.length} model(s), ${total} bytes`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(2);
    },
  );
}
