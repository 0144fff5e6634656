// The storage under the weight cache: a tiny asynchronous key-value interface with string keys and two
// kinds of value, byte chunks (Uint8Array) and small JSON documents (manifests). `idbStore` keeps them
// in IndexedDB through idb-keyval (the browser and the worker); `memoryStore` keeps them in a Map (tests,
// Node), with an optional byte quota that fails like a full browser store, so quota handling is tested.

import { createStore, del, get, keys, set } from 'idb-keyval';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a store holds: a chunk of bytes, or a JSON document. */
export type KvValue = Uint8Array | JsonValue;

export interface KvStore {
  /** The value under `key`, or undefined. */
  get(key: string): Promise<KvValue | undefined>;
  /** Stores `value` under `key` (a copy: later changes to `value` do not reach the store). */
  set(key: string, value: KvValue): Promise<void>;
  /** Removes `key`; removing a key that is not there is not an error. */
  del(key: string): Promise<void>;
  /** Every key, in no particular order. */
  keys(): Promise<string[]>;
}

/** A store in IndexedDB: database `dbName`, object store `storeName` (created on first use). */
export function idbStore(dbName = 'stepwise', storeName = 'weights'): KvStore {
  // createStore opens the database at once; open it on first use, so building the store is free and
  // a page without IndexedDB fails only when it really touches the cache.
  let handle: ReturnType<typeof createStore> | null = null;
  const use = (): ReturnType<typeof createStore> => (handle ??= createStore(dbName, storeName));
  return {
    get: async (key) => (await get<KvValue>(key, use())) ?? undefined,
    set: (key, value) => set(key, detach(value), use()),
    del: (key) => del(key, use()),
    keys: async () => (await keys(use())).filter((k): k is string => typeof k === 'string'),
  };
}

export interface MemoryStoreOptions {
  /** Most bytes the store may hold (chunks by length, JSON by its UTF-16 text length); default unlimited. */
  quotaBytes?: number;
}

export interface MemoryStore extends KvStore {
  /** Bytes held now, as the quota counts them. */
  bytesUsed(): number;
}

/**
 * A store in memory. Values are copied in and out, as IndexedDB's structured clone does. A `set` that
 * would take the store over `quotaBytes` throws a DOMException named "QuotaExceededError" and changes
 * nothing, as a full IndexedDB transaction does.
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const map = new Map<string, KvValue>();
  let used = 0;
  const quota = options.quotaBytes ?? Infinity;
  return {
    get: (key) => Promise.resolve(map.has(key) ? copy(map.get(key) as KvValue) : undefined),
    set: (key, value) => {
      const before = map.has(key) ? sizeOf(map.get(key) as KvValue) : 0;
      const after = used - before + sizeOf(value);
      if (after > quota) {
        return Promise.reject(
          new DOMException(`the store would hold ${after} bytes, over its quota of ${quota}`, 'QuotaExceededError'),
        );
      }
      map.set(key, copy(value));
      used = after;
      return Promise.resolve();
    },
    del: (key) => {
      if (map.has(key)) {
        used -= sizeOf(map.get(key) as KvValue);
        map.delete(key);
      }
      return Promise.resolve();
    },
    keys: () => Promise.resolve([...map.keys()]),
    bytesUsed: () => used,
  };
}

/** Whether `e` is a storage-quota failure (IndexedDB's QuotaExceededError, Firefox's older name, code 22). */
export function isQuotaError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { name, code } = e as { name?: unknown; code?: unknown };
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || code === 22;
}

function sizeOf(v: KvValue): number {
  return v instanceof Uint8Array ? v.byteLength : JSON.stringify(v).length;
}

function copy(v: KvValue): KvValue {
  return v instanceof Uint8Array ? v.slice() : (JSON.parse(JSON.stringify(v)) as JsonValue);
}

/**
 * A view over part of a larger buffer is cloned into IndexedDB with its whole buffer; store only the
 * bytes the view covers.
 */
function detach(v: KvValue): KvValue {
  if (v instanceof Uint8Array && (v.byteOffset !== 0 || v.byteLength !== v.buffer.byteLength)) return v.slice();
  return v;
}
