// Progress of a model load: one bar for the whole (bytes, rate, time left) and one per file, then
// 100 % once the model is on the GPU. Bars are <progress> elements (role progressbar) labelled with
// what they measure, so assistive technology — and the e2e tests — can read them.

import type { FileProgress } from '../engine/api.ts';
import type { LoadState } from '../store/index.ts';
import { formatBytes, formatEta, formatMs, formatRate, percent } from './format.ts';

interface Props {
  load: LoadState;
  onCancel?: () => void;
}

export function LoadProgressView({ load, onCancel }: Props) {
  const p = load.progress;
  const loaded = load.status === 'loaded';
  const overall = loaded ? 100 : p ? percent(p.loaded, p.total) : null;
  const allBytesIn = !loaded && p !== null && p.total !== null && p.files.length > 0 && p.files.every((f) => f.done);
  const seconds = load.startedAt !== null && load.finishedAt !== null ? load.finishedAt - load.startedAt : null;

  return (
    <div className="load" data-status={load.status}>
      <div className="load-head">
        <span className="load-label" title={load.label}>
          {load.label}
        </span>
        <span className="num load-percent" data-field="overall-percent">
          {overall === null ? '' : `${overall} %`}
        </span>
      </div>
      <progress
        aria-label="Overall progress"
        max={100}
        value={overall ?? undefined}
        aria-valuetext={overall === null ? 'starting' : `${overall} %`}
      />
      <p className="load-meta num" role="status">
        {loaded
          ? `Loaded${p && p.total ? ` · ${formatBytes(p.total)}` : ''}${seconds !== null ? ` in ${formatSeconds(seconds)}` : ''}`
          : allBytesIn
            ? 'Uploading the weights to the GPU…'
            : p
              ? `${formatBytes(p.loaded)}${p.total !== null ? ` / ${formatBytes(p.total)}` : ''} · ${formatRate(p.bytesPerSecond)} · ETA ${formatEta(p.etaSeconds)}`
              : 'Starting…'}
      </p>

      {p && p.files.length > 0 && (
        <ul className="load-files" aria-label="Files">
          {p.files.map((f) => (
            <FileRow key={f.file} f={f} />
          ))}
        </ul>
      )}

      {onCancel && (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}

function FileRow({ f }: { f: FileProgress }) {
  const pct = percent(f.loaded, f.total, f.done);
  return (
    <li className="load-file" data-file={f.file}>
      <div className="load-file-head">
        <span className="load-file-name mono" title={f.file}>
          {f.file}
        </span>
        <span className="num">{pct === null ? '' : `${pct} %`}</span>
      </div>
      <progress
        aria-label={`${f.file} progress`}
        max={100}
        value={pct ?? undefined}
        aria-valuetext={pct === null ? 'size unknown' : `${pct} %`}
      />
      <span className="load-file-bytes num">
        {formatBytes(f.loaded)}
        {f.total !== null ? ` / ${formatBytes(f.total)}` : ''}
      </span>
    </li>
  );
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${formatMs(ms)} ms`;
}
