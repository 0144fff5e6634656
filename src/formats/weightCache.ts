// The weight cache: model files kept in a KvStore (IndexedDB in the browser) so a model downloaded once
// loads offline and without a second download. `cachedFolder` wraps any ModelFolder (shipped, URL,
// Hugging Face id): a file with a complete, intact entry is served from the store; any other file is
// read whole from the wrapped folder, chunk by chunk, stored, checked, and then served from the store.
//
// Layout. A file is stored as chunks of 8 MiB (DEFAULT_CHUNK_BYTES): big enough that a multi-gigabyte
// checkpoint is a few hundred IndexedDB values, small enough that a download holds one chunk in memory,
// a failed write loses little, and a random read fetches only the chunks it touches. Keys are JSON
// arrays behind a version prefix (sources are URLs and ids, so no separator character is safe):
//   ["file", source, revision, path]                        → the manifest (JSON), written LAST
//   ["chunk", source, revision, path, downloadId, index]    → bytes
//   ["partial", source, revision, path, downloadId]         → {size, chunkBytes, startedAt} while downloading
// The manifest records size, the whole-file SHA-256, the ETag when the source has one, and the SHA-256
// of every chunk. One manifest per (source, revision, path): a file whose expected size or SHA-256 no
// longer matches the manifest is stale and is replaced, so old copies do not pile up. Chunks carry a
// random download id: chunks of an interrupted download can never be mistaken for those of a later
// one, and leftovers (a closed tab) are found, listed as incomplete and swept when the file is fetched
// again or the model is deleted. Because the manifest is written after every chunk and only then, an
// interrupted, aborted, over-quota or mismatching download never leaves an entry that looks complete;
// on failure the chunks written so far are deleted too. With `revalidate` (URL models, whose files may
// be replaced in place), a cached file's ETag is compared with the source's on each open; a new one
// downloads the file again, and an unreachable source (offline) serves the cached copy.
//
// Hashing. SubtleCrypto has no incremental digest, and hashing the assembled file with it would need the
// whole file (gigabytes) in memory. So two hashes, each for one job:
//  - every chunk is hashed with crypto.subtle (native) when stored, and every chunk read back from the
//    store is checked against that digest before a byte of it is served. This verifies random reads
//    without a whole-file pass. A damaged chunk drops the entry; the file is downloaded again once,
//    transparently, and a second failure is a bad-file error.
//  - the whole-file SHA-256, the one a model index or a Hugging Face LFS pointer publishes, is computed
//    while streaming with the small JavaScript SHA-256 below (≈190 MB/s in V8 against ≈875 MB/s native
//    on the same machine; downloads are slower than either) and compared with `expected.sha256`. A hash
//    over the concatenated chunk digests would be cheaper but is comparable with nothing published.
// A download starts over after a failure; there is no resume yet.

import { StepwiseError } from '../shared/errors.ts';
import { readExactly, type ByteSource } from './byteSource.ts';
import { isQuotaError, type JsonValue, type KvStore, type KvValue } from './cacheStore.ts';
import { badFile, notFound } from './fileErrors.ts';
import type { ModelFolder } from './modelFolder.ts';

export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
export const DEFAULT_REVISION = 'main';
const KEY_PREFIX = 'stepwise-cache/1:';
const LRU_CHUNKS = 2; // chunks kept decoded per served file: sequential tensor reads hit memory

/** What the caller knows of a file before downloading it (from a model index or the Hub's API). */
export interface ExpectedFile {
  size: number;
  sha256?: string; // 64 hex digits
}

/** Progress of one file (same fields as the URL sources' events, plus where the bytes came from). */
export interface CacheProgress {
  file: string;
  loaded: number;
  total: number;
  bytesPerSecond: number; // 0 until measurable
  etaSeconds: number | null; // null when unknown
  fromCache: boolean;
}

export interface CachedFolderOptions {
  store: KvStore;
  /** What the model is, stable across sessions: a shipped id, a URL prefix, a Hugging Face id. */
  source: string;
  /** Default "main". A pinned revision (a commit, an index hash) keeps entries of versions apart. */
  revision?: string;
  /** Size and SHA-256 per path; a cached copy that differs is stale, a download that differs is an error. */
  expected?: Record<string, ExpectedFile>;
  /** `expected` lists every file of the folder: any other path is absent, without asking the folder. */
  exhaustive?: boolean;
  onProgress?: (progress: CacheProgress) => void;
  signal?: AbortSignal;
  /** Chunk size for new downloads (tests use small ones); entries keep the size they were written with. */
  chunkBytes?: number;
  /** Ask the source whether a cached file with an ETag changed (URL models: a file at a URL may be
   *  replaced); a new ETag downloads it again. When the source cannot be reached, the copy is served. */
  revalidate?: boolean;
  /** Clock in milliseconds (storedAt, rates); default Date.now. */
  now?: () => number;
}

type FileManifest = {
  format: 1;
  source: string;
  revision: string;
  path: string;
  size: number;
  sha256: string;
  etag: string | null;
  chunkBytes: number;
  chunkSha256: string[];
  downloadId: string;
  storedAt: number;
};

type PartialMarker = {
  size: number;
  chunkBytes: number;
  startedAt: number;
};

type ParsedKey =
  | { kind: 'file'; source: string; revision: string; path: string }
  | { kind: 'chunk'; source: string; revision: string; path: string; downloadId: string; index: number }
  | { kind: 'partial'; source: string; revision: string; path: string; downloadId: string };

interface Context {
  folder: ModelFolder;
  store: KvStore;
  source: string;
  revision: string;
  expected: Record<string, ExpectedFile> | undefined;
  exhaustive: boolean;
  onProgress: ((p: CacheProgress) => void) | undefined;
  signal: AbortSignal | undefined;
  chunkBytes: number;
  now: () => number;
  revalidate: boolean;
}

/** A ModelFolder that serves `folder`'s files through the cache in `options.store`. */
export function cachedFolder(folder: ModelFolder, options: CachedFolderOptions): ModelFolder {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) throw new RangeError(`chunkBytes ${chunkBytes}`);
  const ctx: Context = {
    folder,
    store: options.store,
    source: options.source,
    revision: options.revision ?? DEFAULT_REVISION,
    expected: options.expected,
    exhaustive: options.exhaustive ?? false,
    onProgress: options.onProgress,
    signal: options.signal,
    chunkBytes,
    now: options.now ?? Date.now,
    revalidate: options.revalidate ?? false,
  };
  const inflight = new Map<string, Promise<ByteSource | null>>();
  return {
    name: folder.name,
    open(path) {
      let p = inflight.get(path);
      if (!p) {
        p = openCached(ctx, path).finally(() => inflight.delete(path));
        inflight.set(path, p);
      }
      return p;
    },
  };
}

async function openCached(ctx: Context, path: string): Promise<ByteSource | null> {
  const exp = expectedOf(ctx, path);
  if (ctx.exhaustive && !exp) return null;
  const manifest = await readManifest(ctx.store, fileKey(ctx, path));
  const changed = manifest && ctx.revalidate ? await changedAtSource(ctx, path, manifest) : null;
  if (changed) {
    const fresh = await download(ctx, path, changed);
    return fresh ? new CachedSource(ctx, path, fresh) : null;
  }
  if (manifest && fits(manifest, exp)) {
    ctx.onProgress?.({
      file: path,
      loaded: manifest.size,
      total: manifest.size,
      bytesPerSecond: 0,
      etaSeconds: 0,
      fromCache: true,
    });
    return new CachedSource(ctx, path, manifest);
  }
  const fresh = await download(ctx, path);
  return fresh ? new CachedSource(ctx, path, fresh) : null;
}

/** The file at the source when its ETag differs from the cached copy's, else null: unchanged, no ETag
 *  to compare, or the source unreachable (offline: the cached copy serves). A cancel still cancels. */
async function changedAtSource(ctx: Context, path: string, m: FileManifest): Promise<ByteSource | null> {
  if (m.etag === null) return null;
  let src: ByteSource | null;
  try {
    src = await ctx.folder.open(path);
  } catch (e) {
    if (e instanceof StepwiseError && e.code === 'cancelled') throw e;
    return null;
  }
  const etag = (src as { etag?: unknown } | null)?.etag;
  return typeof etag === 'string' && etag !== m.etag ? src : null;
}

function expectedOf(ctx: Context, path: string): ExpectedFile | undefined {
  return ctx.expected && Object.prototype.hasOwnProperty.call(ctx.expected, path) ? ctx.expected[path] : undefined;
}

function fits(m: FileManifest, exp: ExpectedFile | undefined): boolean {
  if (!exp) return true;
  if (m.size !== exp.size) return false;
  return exp.sha256 === undefined || m.sha256 === exp.sha256.toLowerCase();
}

/** Reads the whole file from the wrapped folder (or `opened`, the file already opened there) into the
 *  store; null when the folder has no such file. */
async function download(ctx: Context, path: string, opened?: ByteSource): Promise<FileManifest | null> {
  const label = fileLabel(ctx, path);
  throwIfAborted(ctx, label);
  const src = opened ?? (await ctx.folder.open(path));
  if (!src) return null;
  const exp = expectedOf(ctx, path);
  const size = src.size;
  if (exp && size !== exp.size) {
    throw badFile(
      label,
      `the file is ${size} bytes, expected ${exp.size}`,
      'the file at the source differs from the one the model index lists: update the index or the source',
    );
  }
  // Whatever is stored for this path is stale, damaged or a leftover: free its space first.
  await removeFileEntries(ctx.store, (k) => sameFile(k, ctx, path));
  const downloadId = randomId();
  const partialKey = encodeKey(['partial', ctx.source, ctx.revision, path, downloadId]);
  const written: string[] = [partialKey];
  const cb = ctx.chunkBytes;
  const started = ctx.now();
  let manifest: FileManifest;
  try {
    const marker: PartialMarker = { size, chunkBytes: cb, startedAt: started };
    await ctx.store.set(partialKey, marker);
    const whole = new Sha256();
    const chunkSha256: string[] = [];
    if (size === 0) progress(ctx, path, 0, 0, started);
    for (let i = 0; i * cb < size; i++) {
      throwIfAborted(ctx, label);
      const offset = i * cb;
      const length = Math.min(cb, size - offset);
      const bytes = await readExactly(src, offset, length, `bytes ${offset}–${offset + length}`);
      throwIfAborted(ctx, label);
      whole.update(bytes);
      chunkSha256.push(await sha256Hex(bytes));
      const key = encodeKey(['chunk', ctx.source, ctx.revision, path, downloadId, i]);
      written.push(key);
      await ctx.store.set(key, bytes);
      progress(ctx, path, offset + length, size, started);
    }
    const sha256 = whole.hex();
    if (exp?.sha256 !== undefined && sha256 !== exp.sha256.toLowerCase()) {
      throw badFile(
        label,
        `SHA-256 of the downloaded file is ${sha256}, expected ${exp.sha256.toLowerCase()}`,
        'the file is damaged or differs from the one the model index lists: download it again, or update the index',
      );
    }
    throwIfAborted(ctx, label);
    const etag = (src as { etag?: unknown }).etag;
    manifest = {
      format: 1,
      source: ctx.source,
      revision: ctx.revision,
      path,
      size,
      sha256,
      etag: typeof etag === 'string' ? etag : null,
      chunkBytes: cb,
      chunkSha256,
      downloadId,
      storedAt: ctx.now(),
    };
    await ctx.store.set(fileKey(ctx, path), manifest); // LAST: now it is complete
  } catch (e) {
    await deleteQuietly(ctx.store, written);
    throw downloadError(e, label, size);
  }
  // A marker left by a crash here belongs to a complete download: listings ignore it, sweeps remove it.
  await deleteQuietly(ctx.store, [partialKey]);
  return manifest;
}

function progress(ctx: Context, file: string, loaded: number, total: number, started: number): void {
  if (!ctx.onProgress) return;
  const seconds = (ctx.now() - started) / 1000;
  const bytesPerSecond = seconds > 0 ? loaded / seconds : 0;
  const etaSeconds = loaded >= total ? 0 : bytesPerSecond > 0 ? (total - loaded) / bytesPerSecond : null;
  ctx.onProgress({ file, loaded, total, bytesPerSecond, etaSeconds, fromCache: false });
}

function throwIfAborted(ctx: Context, label: string): void {
  if (ctx.signal?.aborted) throw new StepwiseError('cancelled', `${label}: the download was cancelled`);
}

function downloadError(e: unknown, label: string, size: number): unknown {
  if (!isQuotaError(e)) return e;
  const mib = (size / (1024 * 1024)).toFixed(1);
  return new StepwiseError(
    'bad-input',
    `the browser's storage quota is full: ${label} (${mib} MiB) could not be cached`,
    'free space in the cache panel (delete models you no longer use), or allow this site persistent storage',
  );
}

function fileLabel(ctx: Context, path: string): string {
  return ctx.folder.name ? `${ctx.folder.name.replace(/\/+$/, '')}/${path}` : path;
}

/** A file served from its cache entry: random reads across chunks, each chunk checked when fetched. */
class CachedSource implements ByteSource {
  readonly name: string;
  readonly size: number;
  private manifest: FileManifest;
  private readonly lru = new Map<number, Uint8Array>();
  private recovery: Promise<void> | null = null;

  constructor(
    private readonly ctx: Context,
    private readonly path: string,
    manifest: FileManifest,
  ) {
    this.name = path;
    this.size = manifest.size;
    this.manifest = manifest;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      throw new RangeError(`${this.name}: read(${offset}, ${length}) needs non-negative integers`);
    }
    const start = Math.min(offset, this.size);
    const end = Math.min(this.size, offset + length);
    if (end <= start) return new Uint8Array(0);
    for (;;) {
      const m = this.manifest;
      try {
        return await this.readFrom(m, start, end);
      } catch (e) {
        if (!(e instanceof ChunkFault)) throw e;
        await this.recover(m, e);
      }
    }
  }

  private async readFrom(m: FileManifest, start: number, end: number): Promise<Uint8Array> {
    const cb = m.chunkBytes;
    const first = Math.floor(start / cb);
    const last = Math.floor((end - 1) / cb);
    const out = new Uint8Array(end - start);
    for (let i = first; i <= last; i++) {
      const chunk = await this.chunk(m, i);
      const chunkStart = i * cb;
      const a = Math.max(start, chunkStart) - chunkStart;
      const b = Math.min(end, chunkStart + chunk.byteLength) - chunkStart;
      out.set(chunk.subarray(a, b), chunkStart + a - start);
    }
    return out;
  }

  private async chunk(m: FileManifest, i: number): Promise<Uint8Array> {
    const hit = this.lru.get(i);
    if (hit && m === this.manifest) {
      this.lru.delete(i);
      this.lru.set(i, hit);
      return hit;
    }
    const n = m.chunkSha256.length;
    const value = await this.ctx.store.get(encodeKey(['chunk', m.source, m.revision, m.path, m.downloadId, i]));
    if (!isBytes(value)) throw new ChunkFault(`chunk ${i + 1} of ${n} is missing`);
    const expectedLength = Math.min(m.chunkBytes, m.size - i * m.chunkBytes);
    if (value.byteLength !== expectedLength) {
      throw new ChunkFault(`chunk ${i + 1} of ${n} is ${value.byteLength} bytes, expected ${expectedLength}`);
    }
    if ((await sha256Hex(value)) !== m.chunkSha256[i]) {
      throw new ChunkFault(`chunk ${i + 1} of ${n} failed its SHA-256 check`);
    }
    if (m === this.manifest) {
      this.lru.set(i, value);
      if (this.lru.size > LRU_CHUNKS) this.lru.delete(this.lru.keys().next().value as number);
    }
    return value;
  }

  /** Drops the damaged entry and downloads the file again, once per served file. */
  private async recover(failed: FileManifest, fault: ChunkFault): Promise<void> {
    if (failed !== this.manifest) return; // another read already replaced the entry: retry
    const label = fileLabel(this.ctx, this.path);
    if (this.recovery) {
      await this.recovery;
      if (failed !== this.manifest) return;
      await removeFileEntries(this.ctx.store, (k) => sameFile(k, this.ctx, this.path)).catch(() => undefined);
      throw badFile(
        label,
        `the cached copy is damaged (${fault.detail}), and again after downloading it a second time`,
        'the browser storage may be failing: clear this model in the cache panel and reload',
      );
    }
    this.recovery = (async () => {
      const fresh = await download(this.ctx, this.path);
      if (!fresh) throw notFound(label, `the cached copy was damaged (${fault.detail}) and the file is gone`);
      if (fresh.size !== this.size) {
        throw badFile(label, `the file changed while in use: ${fresh.size} bytes now, ${this.size} before`);
      }
      this.lru.clear();
      this.manifest = fresh;
    })();
    await this.recovery;
  }
}

class ChunkFault extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

// --- Listing and deleting ---------------------------------------------------------------------------

export interface CachedFileInfo {
  path: string;
  bytes: number; // bytes stored for this path (a complete copy plus any leftovers)
  complete: boolean; // a complete copy exists
}

export interface CachedModelInfo {
  source: string;
  revision: string;
  files: CachedFileInfo[]; // sorted by path
  bytes: number;
  complete: boolean; // at least one complete file and no unfinished or leftover downloads
  storedAt: number | null; // newest manifest or download start, ms since the epoch
}

/** Everything in the cache, one row per (source, revision), sorted. */
export async function listCachedModels(store: KvStore): Promise<CachedModelInfo[]> {
  const keys = await store.keys();
  const parsed: [string, ParsedKey][] = [];
  for (const k of keys) {
    const p = decodeKey(k);
    if (p) parsed.push([k, p]);
  }
  const group = (source: string, revision: string, path: string): string => JSON.stringify([source, revision, path]);
  const manifests = new Map<string, FileManifest>();
  const markers = new Map<string, PartialMarker>(); // by group + download id
  for (const [k, p] of parsed) {
    if (p.kind === 'file') {
      const m = await readManifest(store, k);
      if (m) manifests.set(group(p.source, p.revision, p.path), m);
    } else if (p.kind === 'partial') {
      const m = readMarker(await store.get(k));
      if (m) markers.set(`${group(p.source, p.revision, p.path)}|${p.downloadId}`, m);
    }
  }
  interface FileRow {
    source: string;
    revision: string;
    path: string;
    bytes: number;
    complete: boolean;
    leftovers: boolean;
    time: number | null;
  }
  const rows = new Map<string, FileRow>();
  const row = (p: ParsedKey): FileRow => {
    const g = group(p.source, p.revision, p.path);
    let r = rows.get(g);
    if (!r) {
      r = {
        source: p.source,
        revision: p.revision,
        path: p.path,
        bytes: 0,
        complete: false,
        leftovers: false,
        time: null,
      };
      rows.set(g, r);
    }
    return r;
  };
  const later = (a: number | null, b: number): number => (a === null ? b : Math.max(a, b));
  for (const [k, p] of parsed) {
    const g = group(p.source, p.revision, p.path);
    const m = manifests.get(g);
    if (p.kind === 'file') {
      if (!m) continue;
      const r = row(p);
      r.complete = true;
      r.bytes += m.size;
      r.time = later(r.time, m.storedAt);
    } else if (p.kind === 'partial') {
      if (m && m.downloadId === p.downloadId) continue; // marker of a finished download
      const r = row(p);
      r.leftovers = true;
      const marker = markers.get(`${g}|${p.downloadId}`);
      if (marker) r.time = later(r.time, marker.startedAt);
    } else {
      if (m && m.downloadId === p.downloadId) continue; // counted with its manifest
      const r = row(p);
      r.leftovers = true;
      const marker = markers.get(`${g}|${p.downloadId}`);
      if (marker) r.bytes += Math.max(0, Math.min(marker.chunkBytes, marker.size - p.index * marker.chunkBytes));
      else {
        const v = await store.get(k); // an orphan without its marker: measure it
        if (isBytes(v)) r.bytes += v.byteLength;
      }
    }
  }
  const models = new Map<string, CachedModelInfo & { leftovers: boolean }>();
  for (const r of rows.values()) {
    const id = JSON.stringify([r.source, r.revision]);
    let m = models.get(id);
    if (!m) {
      m = {
        source: r.source,
        revision: r.revision,
        files: [],
        bytes: 0,
        complete: false,
        storedAt: null,
        leftovers: false,
      };
      models.set(id, m);
    }
    m.files.push({ path: r.path, bytes: r.bytes, complete: r.complete });
    m.bytes += r.bytes;
    m.leftovers ||= r.leftovers;
    if (r.time !== null) m.storedAt = later(m.storedAt, r.time);
  }
  return [...models.values()]
    .map(({ leftovers, ...m }) => ({
      ...m,
      files: m.files.sort((a, b) => compare(a.path, b.path)),
      complete: !leftovers && m.files.some((f) => f.complete),
    }))
    .sort((a, b) => compare(a.source, b.source) || compare(a.revision, b.revision));
}

/** Deletes every file of `source` (every revision, or only `revision`), manifests first. */
export async function deleteCachedModel(store: KvStore, source: string, revision?: string): Promise<void> {
  await removeFileEntries(
    store,
    (p) => p.source === source && (revision === undefined || p.revision === revision),
    true,
  );
}

/** Deletes the keys matching `match`: manifests first, so nothing looks complete while chunks go. */
async function removeFileEntries(store: KvStore, match: (p: ParsedKey) => boolean, strict = false): Promise<void> {
  const manifests: string[] = [];
  const rest: string[] = [];
  for (const k of await store.keys()) {
    const p = decodeKey(k);
    if (p && match(p)) (p.kind === 'file' ? manifests : rest).push(k);
  }
  for (const k of manifests) await store.del(k);
  if (strict) for (const k of rest) await store.del(k);
  else await deleteQuietly(store, rest);
}

function sameFile(p: ParsedKey, ctx: Context, path: string): boolean {
  return p.source === ctx.source && p.revision === ctx.revision && p.path === path;
}

async function deleteQuietly(store: KvStore, keys: string[]): Promise<void> {
  for (const k of keys) {
    try {
      await store.del(k);
    } catch {
      // best effort: a leftover is listed as incomplete and swept by the next download or delete
    }
  }
}

// --- Browser storage ----------------------------------------------------------------------------------

export interface StorageInfo {
  persisted: boolean | null; // null: unknown (no StorageManager)
  usage: number | null; // bytes used by this origin
  quota: number | null; // bytes this origin may use
}

type StorageLike = Partial<Pick<StorageManager, 'persisted' | 'estimate'>>;

function defaultStorage(): StorageLike | undefined {
  return typeof navigator !== 'undefined' ? (navigator as { storage?: StorageLike }).storage : undefined;
}

/** Usage, quota and persistence of this origin's storage, as far as the browser tells. */
export async function storageInfo(storage: StorageLike | undefined = defaultStorage()): Promise<StorageInfo> {
  const info: StorageInfo = { persisted: null, usage: null, quota: null };
  if (!storage) return info;
  try {
    if (storage.persisted) info.persisted = await storage.persisted();
  } catch {
    // unknown
  }
  try {
    if (storage.estimate) {
      const e = await storage.estimate();
      info.usage = typeof e.usage === 'number' ? e.usage : null;
      info.quota = typeof e.quota === 'number' ? e.quota : null;
    }
  } catch {
    // unknown
  }
  return info;
}

// --- Keys and records ---------------------------------------------------------------------------------

type KeyParts =
  | ['file', string, string, string]
  | ['chunk', string, string, string, string, number]
  | ['partial', string, string, string, string];

function encodeKey(parts: KeyParts): string {
  return KEY_PREFIX + JSON.stringify(parts);
}

function fileKey(ctx: Context, path: string): string {
  return encodeKey(['file', ctx.source, ctx.revision, path]);
}

function decodeKey(key: string): ParsedKey | null {
  if (!key.startsWith(KEY_PREFIX)) return null;
  let v: unknown;
  try {
    v = JSON.parse(key.slice(KEY_PREFIX.length));
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length < 4 || !v.slice(1, 4).every((s) => typeof s === 'string')) return null;
  const [kind, source, revision, path] = v as [unknown, string, string, string];
  if (kind === 'file' && v.length === 4) return { kind, source, revision, path };
  if (kind === 'partial' && v.length === 5 && typeof v[4] === 'string') {
    return { kind, source, revision, path, downloadId: v[4] };
  }
  if (kind === 'chunk' && v.length === 6 && typeof v[4] === 'string' && Number.isSafeInteger(v[5]) && v[5] >= 0) {
    return { kind, source, revision, path, downloadId: v[4], index: v[5] as number };
  }
  return null;
}

/** The manifest under `key` when it is present and well-formed; a malformed one counts as absent. */
async function readManifest(store: KvStore, key: string): Promise<FileManifest | null> {
  const v = await store.get(key);
  if (!isRecord(v)) return null;
  const size = v.size;
  const cb = v.chunkBytes;
  const hashes = v.chunkSha256;
  const ok =
    v.format === 1 &&
    typeof v.source === 'string' &&
    typeof v.revision === 'string' &&
    typeof v.path === 'string' &&
    isCount(size) &&
    typeof v.sha256 === 'string' &&
    (v.etag === null || typeof v.etag === 'string') &&
    isCount(cb) &&
    cb > 0 &&
    Array.isArray(hashes) &&
    hashes.length === Math.ceil(size / cb) &&
    hashes.every((h) => typeof h === 'string') &&
    typeof v.downloadId === 'string' &&
    typeof v.storedAt === 'number';
  return ok ? (v as unknown as FileManifest) : null;
}

function readMarker(v: KvValue | undefined): PartialMarker | null {
  if (!isRecord(v) || !isCount(v.size) || !isCount(v.chunkBytes) || v.chunkBytes === 0) return null;
  return { size: v.size, chunkBytes: v.chunkBytes, startedAt: typeof v.startedAt === 'number' ? v.startedAt : 0 };
}

function isRecord(v: KvValue | undefined): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isBytes(v);
}

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array || Object.prototype.toString.call(v) === '[object Uint8Array]';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// --- SHA-256 ------------------------------------------------------------------------------------------

/** SHA-256 of `bytes` in lowercase hex, by the platform (crypto.subtle). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (x) => x.toString(16).padStart(2, '0')).join('');
}

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** Streaming SHA-256 (FIPS 180-4): `update` any number of times, then `hex` once. */
export class Sha256 {
  private readonly h = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  private readonly w = new Int32Array(64);
  private readonly buf = new Uint8Array(64);
  private bufLen = 0;
  private total = 0;
  private done = false;

  update(data: Uint8Array): this {
    if (this.done) throw new Error('Sha256: update after hex');
    const n = data.byteLength;
    this.total += n;
    let i = 0;
    if (this.bufLen > 0) {
      i = Math.min(64 - this.bufLen, n);
      this.buf.set(data.subarray(0, i), this.bufLen);
      this.bufLen += i;
      if (this.bufLen < 64) return this;
      this.block(this.buf, 0);
      this.bufLen = 0;
    }
    for (; i + 64 <= n; i += 64) this.block(data, i);
    if (i < n) {
      this.buf.set(data.subarray(i), 0);
      this.bufLen = n - i;
    }
    return this;
  }

  /** The digest in lowercase hex. */
  hex(): string {
    if (!this.done) {
      const bits = this.total * 8;
      const pad = new Uint8Array((((this.bufLen + 9 + 63) >> 6) << 6) - this.bufLen);
      pad[0] = 0x80;
      const view = new DataView(pad.buffer);
      view.setUint32(pad.length - 8, Math.floor(bits / 2 ** 32));
      view.setUint32(pad.length - 4, bits >>> 0);
      this.update(pad);
      this.done = true;
    }
    return Array.from(this.h, (x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
  }

  private block(d: Uint8Array, p: number): void {
    const w = this.w;
    const h = this.h;
    for (let t = 0; t < 16; t++, p += 4) w[t] = (d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3];
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    let a = h[0];
    let b = h[1];
    let c = h[2];
    let dd = h[3];
    let e = h[4];
    let f = h[5];
    let g = h[6];
    let hh = h[7];
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (dd + t1) | 0;
      dd = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + b) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + dd) | 0;
    h[4] = (h[4] + e) | 0;
    h[5] = (h[5] + f) | 0;
    h[6] = (h[6] + g) | 0;
    h[7] = (h[7] + hh) | 0;
  }
}
