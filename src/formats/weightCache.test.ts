import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeTestModelFiles } from '../../scripts/make-test-model.ts';
import { StepwiseError } from '../shared/errors.ts';
import type { ByteSource } from './byteSource.ts';
import { isQuotaError, memoryStore, type KvStore, type KvValue } from './cacheStore.ts';
import { loadModelFolder, memoryFolder, readWhole, type ModelFolder } from './modelFolder.ts';
import { expectFileError } from './testing.ts';
import {
  Sha256,
  cachedFolder,
  deleteCachedModel,
  listCachedModels,
  sha256Hex,
  storageInfo,
  type CacheProgress,
} from './weightCache.ts';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function randomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A memory folder that counts opens and reads, and can go offline (every open throws). */
function countingFolder(files: Record<string, Uint8Array>, name = 'hub/tiny') {
  const inner = memoryFolder(name, files);
  const stats = { opens: 0, reads: 0, offline: false };
  const folder: ModelFolder = {
    name,
    async open(path) {
      stats.opens++;
      if (stats.offline) throw new StepwiseError('network', `${name}/${path}: offline`);
      const s = await inner.open(path);
      if (!s) return null;
      const counted: ByteSource = {
        name: s.name,
        size: s.size,
        read: (o, l) => {
          stats.reads++;
          return s.read(o, l);
        },
      };
      return counted;
    },
  };
  return { folder, stats };
}

async function chunkKeys(store: KvStore): Promise<string[]> {
  return (await store.keys()).filter((k) => k.includes('["chunk"'));
}

async function caught(run: () => Promise<unknown>): Promise<StepwiseError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof StepwiseError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('Sha256 (streaming)', () => {
  it('equals node:crypto for any split of any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.array(fc.nat(700), { maxLength: 6 }), (data, cuts) => {
        const h = new Sha256();
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        let at = 0;
        for (const p of [...points, data.length]) {
          h.update(data.subarray(at, p));
          at = p;
        }
        expect(h.hex()).toBe(sha(data));
      }),
      { numRuns: 300 },
    );
  });

  it('sha256Hex (crypto.subtle) agrees', async () => {
    const data = randomBytes(100_000, 7);
    expect(await sha256Hex(data)).toBe(sha(data));
    expect(new Sha256().update(data).hex()).toBe(sha(data));
  });
});

describe('cachedFolder', () => {
  const files = makeTestModelFiles();
  const weights = files['model.safetensors'];

  it('downloads once, then serves from the cache without touching the folder', async () => {
    const store = memoryStore();
    const { folder, stats } = countingFolder(files);
    const events: CacheProgress[] = [];
    const first = cachedFolder(folder, {
      store,
      source: 'hub:tiny',
      chunkBytes: 4096,
      onProgress: (p) => events.push(p),
    });
    const model = await loadModelFolder(first);
    expect(model.config.modelType).toBe('gpt2');
    expect(stats.reads).toBeGreaterThan(weights.byteLength / 4096);
    const weightEvents = events.filter((e) => e.file === 'model.safetensors');
    expect(weightEvents.at(-1)).toMatchObject({ loaded: weights.byteLength, total: weights.byteLength });
    expect(weightEvents.every((e, i) => i === 0 || e.loaded > weightEvents[i - 1].loaded)).toBe(true);
    expect(weightEvents.every((e) => !e.fromCache)).toBe(true);

    const before = { ...stats };
    stats.offline = true; // the second load must not need the network at all
    const events2: CacheProgress[] = [];
    const second = cachedFolder(folder, { store, source: 'hub:tiny', onProgress: (p) => events2.push(p) });
    const again = await loadModelFolder(second);
    expect(stats.reads).toBe(before.reads);
    expect(stats.opens).toBe(before.opens);
    expect(events2.every((e) => e.fromCache && e.loaded === e.total)).toBe(true);
    expect(again.checkpoint.names()).toEqual(model.checkpoint.names());
    for (const name of again.checkpoint.names()) {
      expect(await again.checkpoint.readTensor(name)).toEqual(await model.checkpoint.readTensor(name));
    }
    for (const path of Object.keys(files)) {
      const s = await second.open(path);
      expect(s && (await readWhole(s))).toEqual(files[path]);
    }
  });

  it('random reads across chunk boundaries equal the original bytes', async () => {
    const bytes = randomBytes(20_011, 3);
    const store = memoryStore();
    const { folder, stats } = countingFolder({ 'w.bin': bytes });
    await cachedFolder(folder, { store, source: 's', chunkBytes: 997 }).open('w.bin');
    const readsAfterDownload = stats.reads;
    const src = (await cachedFolder(folder, { store, source: 's', chunkBytes: 4096 }).open('w.bin')) as ByteSource;
    expect(src.size).toBe(bytes.byteLength);
    await fc.assert(
      fc.asyncProperty(fc.nat(bytes.byteLength + 20), fc.nat(5000), async (offset, length) => {
        const got = await src.read(offset, length);
        const want = bytes.subarray(Math.min(offset, bytes.byteLength), Math.min(bytes.byteLength, offset + length));
        expect(got).toEqual(want);
      }),
      { numRuns: 600 },
    );
    expect(stats.reads).toBe(readsAfterDownload);
    await expect(src.read(-1, 3)).rejects.toThrow(RangeError);
  });

  it('stores an empty file', async () => {
    const store = memoryStore();
    const { folder } = countingFolder({ 'empty.txt': new Uint8Array(0) });
    const src = await cachedFolder(folder, { store, source: 's' }).open('empty.txt');
    expect(src?.size).toBe(0);
    expect(await src?.read(0, 10)).toEqual(new Uint8Array(0));
    expect((await listCachedModels(store))[0]).toMatchObject({ complete: true, bytes: 0 });
  });

  it('returns null for a missing file, and for unlisted files of an exhaustive expectation without asking', async () => {
    const store = memoryStore();
    const { folder, stats } = countingFolder(files);
    expect(await cachedFolder(folder, { store, source: 's' }).open('nope.json')).toBeNull();
    const opens = stats.opens;
    const expected = { 'config.json': { size: files['config.json'].byteLength, sha256: sha(files['config.json']) } };
    const only = cachedFolder(folder, { store, source: 's', expected, exhaustive: true });
    expect(await only.open('tokenizer.json')).toBeNull();
    expect(stats.opens).toBe(opens);
    expect(await only.open('config.json')).not.toBeNull();
  });

  it('shares one download between concurrent opens of a file', async () => {
    const store = memoryStore();
    const { folder, stats } = countingFolder(files);
    const c = cachedFolder(folder, { store, source: 's', chunkBytes: 8192 });
    const [a, b] = await Promise.all([c.open('model.safetensors'), c.open('model.safetensors')]);
    expect(stats.opens).toBe(1);
    expect(await readWhole(a as ByteSource)).toEqual(weights);
    expect(await readWhole(b as ByteSource)).toEqual(weights);
  });

  it('a SHA-256 mismatch is a bad-file error naming the file, and nothing is kept', async () => {
    const store = memoryStore();
    const { folder } = countingFolder(files);
    const expected = { 'model.safetensors': { size: weights.byteLength, sha256: '0'.repeat(64) } };
    const c = cachedFolder(folder, { store, source: 's', expected, chunkBytes: 4096 });
    await expectFileError(() => c.open('model.safetensors'), 'bad-file', 'hub/tiny/model.safetensors', /SHA-256/);
    expect(await store.keys()).toEqual([]);
    expect(store.bytesUsed()).toBe(0);
  });

  it('a size other than expected is a bad-file error, before anything is stored', async () => {
    const store = memoryStore();
    const { folder, stats } = countingFolder(files);
    const expected = { 'model.safetensors': { size: weights.byteLength + 1 } };
    const c = cachedFolder(folder, { store, source: 's', expected });
    await expectFileError(() => c.open('model.safetensors'), 'bad-file', 'model.safetensors', /bytes, expected/);
    expect(stats.reads).toBe(0);
    expect(await store.keys()).toEqual([]);
  });

  it('a full quota mid-file is a clear error and leaves no entry and no orphan chunks', async () => {
    const store = memoryStore({ quotaBytes: 40_000 });
    const { folder } = countingFolder(files);
    const c = cachedFolder(folder, { store, source: 's', chunkBytes: 4096 });
    await c.open('config.json'); // a file that fits stays cached
    const used = store.bytesUsed();
    expect(weights.byteLength).toBeGreaterThan(40_000);
    const e = await caught(() => c.open('model.safetensors'));
    expect(e.code).toBe('bad-input');
    expect(e.message).toMatch(/^the browser's storage quota is full: hub\/tiny\/model\.safetensors \(\d+\.\d MiB\)/);
    expect(e.hint).toMatch(/cache panel/);
    expect(store.bytesUsed()).toBe(used);
    const list = await listCachedModels(store);
    expect(list).toHaveLength(1);
    expect(list[0].files).toEqual([{ path: 'config.json', bytes: files['config.json'].byteLength, complete: true }]);
    expect((await chunkKeys(store)).length).toBe(1);
  });

  it('an aborted download leaves no complete entry and no chunks', async () => {
    const store = memoryStore();
    const { folder } = countingFolder(files);
    const controller = new AbortController();
    const c = cachedFolder(folder, {
      store,
      source: 's',
      chunkBytes: 4096,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.loaded >= 3 * 4096) controller.abort();
      },
    });
    const e = await caught(() => c.open('model.safetensors'));
    expect(e.code).toBe('cancelled');
    expect(e.message).toMatch(/model\.safetensors/);
    expect(await store.keys()).toEqual([]);
    expect(await listCachedModels(store)).toEqual([]);
    const src = await cachedFolder(folder, { store, source: 's' }).open('model.safetensors');
    expect(await readWhole(src as ByteSource)).toEqual(weights);
  });

  it('a corrupted chunk drops the entry and downloads the file again, transparently', async () => {
    const store = memoryStore();
    const { folder, stats } = countingFolder(files);
    await cachedFolder(folder, { store, source: 's', chunkBytes: 4096 }).open('model.safetensors');
    const keys = (await chunkKeys(store)).sort();
    const victim = keys[3];
    const bytes = (await store.get(victim)) as Uint8Array;
    bytes[17] ^= 0xff;
    await store.set(victim, bytes);

    const reads = stats.reads;
    const src = (await cachedFolder(folder, { store, source: 's', chunkBytes: 4096 }).open(
      'model.safetensors',
    )) as ByteSource;
    expect(stats.reads).toBe(reads); // opened from the cache
    expect(await readWhole(src)).toEqual(weights);
    expect(stats.reads).toBeGreaterThan(reads); // downloaded again
    expect(await store.get(victim)).toBeUndefined(); // the damaged copy is gone
    const after = stats.reads;
    const again = await cachedFolder(folder, { store, source: 's' }).open('model.safetensors');
    expect(await readWhole(again as ByteSource)).toEqual(weights);
    expect(stats.reads).toBe(after);
    expect(await chunkKeys(store)).toHaveLength(keys.length);
  });

  it('a missing chunk is recovered the same way', async () => {
    const store = memoryStore();
    const { folder } = countingFolder(files);
    await cachedFolder(folder, { store, source: 's', chunkBytes: 4096 }).open('model.safetensors');
    await store.del((await chunkKeys(store))[0]);
    const src = await cachedFolder(folder, { store, source: 's', chunkBytes: 4096 }).open('model.safetensors');
    expect(await readWhole(src as ByteSource)).toEqual(weights);
  });

  it('a store that keeps damaging chunks gives a bad-file error after one retry', async () => {
    const inner = memoryStore();
    let damage = false;
    const store: KvStore = {
      ...inner,
      set: (k: string, v: KvValue) => {
        if (damage && v instanceof Uint8Array) {
          const copy = v.slice();
          copy[0] ^= 1;
          return inner.set(k, copy);
        }
        return inner.set(k, v);
      },
    };
    const { folder, stats } = countingFolder(files);
    await cachedFolder(folder, { store, source: 's', chunkBytes: 4096 }).open('model.safetensors');
    const k = (await chunkKeys(inner))[0];
    const b = (await inner.get(k)) as Uint8Array;
    b[0] ^= 1;
    await inner.set(k, b);
    damage = true;
    const src = (await cachedFolder(folder, { store, source: 's', chunkBytes: 4096 }).open(
      'model.safetensors',
    )) as ByteSource;
    const reads = stats.reads;
    await expectFileError(() => readWhole(src), 'bad-file', 'model.safetensors', /damaged/);
    expect(stats.reads - reads).toBe(Math.ceil(weights.byteLength / 4096)); // exactly one download again
    expect(await listCachedModels(inner)).toEqual([]);
  });

  it('replaces a cached copy that no longer matches the expected SHA-256', async () => {
    const store = memoryStore();
    const v1 = { 'w.bin': randomBytes(10_000, 1) };
    const v2 = { 'w.bin': randomBytes(12_000, 2) };
    await cachedFolder(countingFolder(v1).folder, { store, source: 's', chunkBytes: 1000 }).open('w.bin');
    const expected = { 'w.bin': { size: 12_000, sha256: sha(v2['w.bin']) } };
    const { folder, stats } = countingFolder(v2);
    const src = await cachedFolder(folder, { store, source: 's', expected, chunkBytes: 1000 }).open('w.bin');
    expect(stats.reads).toBe(12);
    expect(await readWhole(src as ByteSource)).toEqual(v2['w.bin']);
    expect(await chunkKeys(store)).toHaveLength(12); // the old copy's chunks are gone
    const list = await listCachedModels(store);
    expect(list[0]).toMatchObject({ bytes: 12_000, complete: true });
  });
});

describe('listCachedModels / deleteCachedModel', () => {
  it('lists models with their files and sizes, and deletes one', async () => {
    const store = memoryStore();
    const a = { 'config.json': randomBytes(300, 1), 'w.bin': randomBytes(5000, 2) };
    const b = { 'w.bin': randomBytes(2500, 3) };
    let clock = 1_000;
    const now = (): number => clock++;
    const ca = cachedFolder(countingFolder(a).folder, { store, source: 'org/a', chunkBytes: 1024, now });
    await ca.open('w.bin');
    await ca.open('config.json');
    await cachedFolder(countingFolder(b).folder, {
      store,
      source: 'org/b',
      revision: 'r1',
      chunkBytes: 1024,
      now,
    }).open('w.bin');
    const list = await listCachedModels(store);
    expect(list.map((m) => [m.source, m.revision, m.bytes, m.complete])).toEqual([
      ['org/a', 'main', 5300, true],
      ['org/b', 'r1', 2500, true],
    ]);
    expect(list[0].files).toEqual([
      { path: 'config.json', bytes: 300, complete: true },
      { path: 'w.bin', bytes: 5000, complete: true },
    ]);
    expect(list[0].storedAt).toBeGreaterThan(1_000);
    await deleteCachedModel(store, 'org/a');
    expect((await listCachedModels(store)).map((m) => m.source)).toEqual(['org/b']);
    await deleteCachedModel(store, 'org/b', 'other');
    expect(await listCachedModels(store)).toHaveLength(1);
    await deleteCachedModel(store, 'org/b', 'r1');
    expect(await store.keys()).toEqual([]);
  });

  it('shows the leftovers of an interrupted download as incomplete, and sweeps them on the next download', async () => {
    const inner = memoryStore();
    let sets = 0;
    const dying: KvStore = {
      get: (k) => inner.get(k),
      keys: () => inner.keys(),
      set: (k, v) => (++sets > 4 ? Promise.reject(new Error('the tab was closed')) : inner.set(k, v)),
      del: () => Promise.reject(new Error('the tab was closed')),
    };
    const bytes = randomBytes(10_000, 5);
    const { folder } = countingFolder({ 'w.bin': bytes });
    await expect(cachedFolder(folder, { store: dying, source: 's', chunkBytes: 1000 }).open('w.bin')).rejects.toThrow(
      /tab was closed/,
    );
    const list = await listCachedModels(inner);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ complete: false, bytes: 3000 });
    expect(list[0].files).toEqual([{ path: 'w.bin', bytes: 3000, complete: false }]);

    const src = await cachedFolder(folder, { store: inner, source: 's', chunkBytes: 1000 }).open('w.bin');
    expect(await readWhole(src as ByteSource)).toEqual(bytes);
    const after = await listCachedModels(inner);
    expect(after[0]).toMatchObject({ complete: true, bytes: 10_000 });
    expect(await chunkKeys(inner)).toHaveLength(10);
    expect((await inner.keys()).length).toBe(11); // chunks + manifest, no marker
  });
});

describe('memoryStore', () => {
  it('copies values and fails over quota with a QuotaExceededError', async () => {
    const store = memoryStore({ quotaBytes: 10 });
    const v = new Uint8Array([1, 2, 3]);
    await store.set('a', v);
    v[0] = 9;
    expect(await store.get('a')).toEqual(new Uint8Array([1, 2, 3]));
    const e = await store.set('b', new Uint8Array(8)).catch((x: unknown) => x);
    expect(isQuotaError(e)).toBe(true);
    expect((e as DOMException).name).toBe('QuotaExceededError');
    expect(await store.keys()).toEqual(['a']);
    await store.set('a', new Uint8Array(10)); // replacing counts the new size only
    expect(store.bytesUsed()).toBe(10);
    await store.del('a');
    expect(store.bytesUsed()).toBe(0);
  });
});

describe('storage info', () => {
  it('reports what the StorageManager tells, and nulls without one', async () => {
    const storage = {
      persisted: () => Promise.resolve(false),
      estimate: () => Promise.resolve({ usage: 123, quota: 4567 }),
    };
    expect(await storageInfo(storage)).toEqual({ persisted: false, usage: 123, quota: 4567 });
    expect(await storageInfo(undefined)).toEqual({ persisted: null, usage: null, quota: null });
    expect(await storageInfo({ estimate: () => Promise.reject(new Error('no')) })).toEqual({
      persisted: null,
      usage: null,
      quota: null,
    });
  });
});
