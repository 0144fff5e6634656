// The model area: pick a shipped model, open a folder or files from disk, or give a URL or a Hugging
// Face id; then the load's progress (per file and overall, with a Cancel button) or its error.

import { useEffect, useId, useState, type ChangeEvent, type FormEvent } from 'react';
import { cancelModelLoad, loadModel, loadShippedModels, useStore, type ShippedModelEntry } from '../store/index.ts';
import { formatBytes } from './format.ts';
import { LoadProgressView } from './LoadProgressView.tsx';
import { filesFromInput } from './localFiles.ts';

export function ModelPanel() {
  const id = useId();
  const shipped = useStore((s) => s.shipped);
  const load = useStore((s) => s.load);
  const [url, setUrl] = useState('');

  useEffect(() => {
    void loadShippedModels();
  }, []);

  const selected = load.shippedId && load.status !== 'error' && load.status !== 'cancelled' ? load.shippedId : '';
  const selectedEntry = shipped.models.find((m) => m.id === selected);
  const loading = load.status === 'loading';

  const onSelect = (e: ChangeEvent<HTMLSelectElement>) => {
    if (e.target.value) void loadModel(e.target.value);
  };

  const onPick = (e: ChangeEvent<HTMLInputElement>) => {
    const local = e.target.files ? filesFromInput(e.target.files) : null;
    e.target.value = ''; // picking the same files again fires another change
    if (local) void loadModel(local);
  };

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (url.trim()) void loadModel(url.trim());
  };

  return (
    <section className="panel model-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="panel-title">
        Load a model
      </h2>

      <div className="field">
        <label htmlFor={`${id}-select`}>Model</label>
        <select id={`${id}-select`} value={selected} onChange={onSelect} aria-describedby={`${id}-select-note`}>
          <option value="" disabled>
            {shipped.models.length === 0 ? 'No models yet' : 'Choose a model…'}
          </option>
          {shipped.models.map((m) => (
            <option key={m.id} value={m.id}>
              {optionText(m)}
            </option>
          ))}
        </select>
        {selectedEntry && (
          <p className="model-meta mono" data-field="shipped-meta">
            {selectedEntry.task ?? selectedEntry.modelType} · {formatBytes(selectedEntry.bytes)}
          </p>
        )}
        <p id={`${id}-select-note`} className="note field-note">
          {shipped.status === 'loading'
            ? 'Reading the list of shipped models…'
            : selectedEntry?.description ||
              (shipped.models.length > 0
                ? 'Demo models shipped with the app. Weights are cached in this browser after the first load.'
                : shipped.status === 'ready'
                  ? 'No demo models are shipped with this build.'
                  : '')}
        </p>
        {shipped.error && (
          <div className="error-box" role="alert">
            <p className="error-title">The list of shipped models could not be read</p>
            <p className="mono">{shipped.error.message}</p>
            {shipped.error.hint && <p>{shipped.error.hint}</p>}
          </div>
        )}
      </div>

      <div className="field">
        <span className="field-label" id={`${id}-open`}>
          From this computer
        </span>
        <div className="file-buttons" role="group" aria-labelledby={`${id}-open`}>
          <label className="file-button">
            <input type="file" multiple className="visually-hidden" onChange={onPick} />
            Open files
          </label>
          <label className="file-button">
            <input type="file" webkitdirectory="" multiple className="visually-hidden" onChange={onPick} />
            Open folder
          </label>
        </div>
        <p className="note field-note">
          The model’s config.json, model.safetensors and tokenizer.json — or drop them, or their folder, anywhere on
          this page. Nothing is uploaded.
        </p>
      </div>

      <form className="field" onSubmit={onSubmit}>
        <label htmlFor={`${id}-url`}>Model URL or Hugging Face id</label>
        <div className="url-row">
          <input
            id={`${id}-url`}
            type="text"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder="URL or org/name"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            aria-describedby={`${id}-url-note`}
          />
          <button type="submit" disabled={url.trim() === ''}>
            Load
          </button>
        </div>
        <p id={`${id}-url-note`} className="note field-note">
          A shipped id, an https:// URL of a model folder (http:// only for localhost), or a Hugging Face id{' '}
          <code>org/name</code>, optionally <code>@revision</code>.
        </p>
      </form>

      {load.status !== 'idle' && (
        <div className="load-status" aria-live="polite">
          {load.status === 'error' && load.error ? (
            <div className="error-box" role="alert">
              <p className="error-title">Could not load {load.label}</p>
              <p className="mono" data-field="load-error">
                {load.error.message}
              </p>
              {load.error.hint && <p>{load.error.hint}</p>}
            </div>
          ) : load.status === 'cancelled' ? (
            <p className="note" role="status">
              Loading {load.label} was cancelled.
            </p>
          ) : (
            <LoadProgressView load={load} onCancel={loading ? () => void cancelModelLoad() : undefined} />
          )}
        </div>
      )}
    </section>
  );
}

function optionText(m: ShippedModelEntry): string {
  return `${m.id} — ${m.task ?? m.modelType} · ${formatBytes(m.bytes)}`;
}
