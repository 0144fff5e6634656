// The weight cache: models kept in this browser (IndexedDB) with their sizes and a Delete button
// each, how much storage the site uses of its quota, and a button that asks the browser to keep the
// cache from eviction (persistent storage), with the browser's answer.

import { useEffect } from 'react';
import type { StorageState } from '../engine/api.ts';
import { deleteCachedModel, keepModelsOffline, refreshCache, useStore, type CacheState } from '../store/index.ts';
import { formatBytes, formatCount } from './format.ts';

export function CachePanel() {
  const cache = useStore((s) => s.cache);

  useEffect(() => {
    void refreshCache();
  }, []);

  return (
    <section className="cache" aria-labelledby="cache-title">
      <div className="selftest-head">
        <div>
          <h2 id="cache-title">Cache</h2>
          <p className="note">
            Models loaded from the list, a URL or Hugging Face are kept in this browser’s storage (IndexedDB), so they
            load again without a download — also offline. Files opened from this computer are read in place and not
            copied here.
          </p>
        </div>
        <button type="button" onClick={() => void refreshCache()} disabled={cache.status === 'loading'}>
          Refresh
        </button>
      </div>

      <StorageSummary cache={cache} />

      {cache.error && (
        <div className="error-box" role="alert">
          <p className="error-title">The cache could not be read or changed</p>
          <p className="mono">{cache.error.message}</p>
          {cache.error.hint && <p>{cache.error.hint}</p>}
        </div>
      )}

      <h3 className="subhead">Cached models</h3>
      {cache.rows.length === 0 ? (
        <p className="note">
          {cache.status === 'loading' && cache.storage === null ? 'Reading the cache…' : 'No models are cached yet.'}
        </p>
      ) : (
        <div className="table-scroll">
          <table className="results" aria-label="Cached models">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Revision</th>
                <th scope="col" className="num">
                  Files
                </th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">Stored</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {cache.rows.map((r) => (
                <tr key={`${r.source}@${r.revision}`}>
                  <th scope="row" className="mono cache-source" title={r.source}>
                    {r.source}
                    {!r.complete && (
                      <span className="pill pill-warn" title="An interrupted download left pieces; Delete frees them">
                        incomplete
                      </span>
                    )}
                  </th>
                  <td className="mono">{shortRevision(r.revision)}</td>
                  <td className="num">{formatCount(r.files)}</td>
                  <td className="num">{formatBytes(r.bytes)}</td>
                  <td>{r.storedAt === null ? '—' : new Date(r.storedAt).toLocaleString()}</td>
                  <td>
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Delete ${r.source}`}
                      disabled={cache.deleting !== null}
                      onClick={() => void deleteCachedModel(r.source)}
                    >
                      {cache.deleting === r.source ? 'Deleting…' : 'Delete'}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function StorageSummary({ cache }: { cache: CacheState }) {
  const s: StorageState | null = cache.storage;
  const share = s && s.usage !== null && s.quota ? s.usage / s.quota : null;
  return (
    <div className="storage-box">
      <dl className="facts">
        <dt>Storage used</dt>
        <dd data-field="storage-used">
          {s === null
            ? '—'
            : s.usage === null
              ? 'not reported by the browser'
              : `${formatBytes(s.usage)}${s.quota !== null ? ` of ${formatBytes(s.quota)}` : ''}${share !== null ? ` (${(100 * share).toFixed(share < 0.01 ? 2 : 1)} %)` : ''}`}
        </dd>
        <dt>Persistent</dt>
        <dd data-field="persisted">{persistText(cache)}</dd>
      </dl>
      {share !== null && (
        <progress className="storage-bar" aria-label="Storage used of the quota" max={1} value={share} />
      )}
      <div className="storage-actions">
        <button type="button" onClick={() => void keepModelsOffline()} disabled={s?.persisted === true}>
          Keep models offline
        </button>
        <span className="note" role="status">
          {cache.persistAsked
            ? cache.persistGranted
              ? 'Granted: the browser will not evict the cached models under storage pressure.'
              : cache.persistGranted === false
                ? 'Not granted: the browser may still evict the cache when space runs low (installing the app or bookmarking the site usually helps).'
                : 'This browser cannot be asked for persistent storage.'
            : 'Asks the browser not to evict the cached models when space runs low.'}
        </span>
      </div>
    </div>
  );
}

function persistText(cache: CacheState): string {
  const p = cache.storage?.persisted;
  if (p === true) return 'yes — the cache is kept until you delete it';
  if (p === false) return 'no — the browser may evict the cache under storage pressure';
  return cache.storage ? 'unknown' : '—';
}

function shortRevision(r: string): string {
  return /^[0-9a-f]{40}$/.test(r) ? r.slice(0, 10) : r;
}
