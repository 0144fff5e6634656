// The loaded model, inspected: what it is (type, task, parameters, bytes in the file and on the GPU,
// warnings), its key configuration fields and its tensor table (name, dtype, shape, bytes), shown
// TENSOR_PAGE rows at a time so a checkpoint of many thousand tensors does not freeze the page.

import { useState } from 'react';
import type { LoadedModelInfo, TensorRow } from '../engine/api.ts';
import { useStore } from '../store/index.ts';
import { formatBytes, formatCompact, formatCount } from './format.ts';
import { pageOf } from './paging.ts';

const TENSOR_PAGE = 500;

export function ModelInspector() {
  const model = useStore((s) => s.model);
  if (!model) {
    return (
      <section className="inspect" aria-labelledby="inspect-title">
        <h2 id="inspect-title">No model loaded</h2>
        <p className="note">
          Choose a shipped model in the <strong>Model</strong> list, open a model folder from this computer, or give a
          URL or Hugging Face id. Its configuration and tensors appear here.
        </p>
      </section>
    );
  }
  return <ModelDetails key={model.handle} model={model} />;
}

function ModelDetails({ model }: { model: LoadedModelInfo }) {
  const failed = useStore((s) => (s.load.status === 'error' ? s.load.label : null));
  const shards = new Set(model.tensors.map((t) => t.file));
  const config = Object.entries(model.config);
  return (
    <section className="inspect" aria-labelledby="inspect-title">
      <div className="inspect-head">
        <h2 id="inspect-title" className="mono">
          {model.source}
        </h2>
      </div>
      {failed && (
        <p className="note stale-note">
          Still loaded: loading {failed} failed (see the message in the model area), so this model stays in use.
        </p>
      )}

      <dl className="summary-grid" aria-label="Model summary">
        <Fact label="Model type" field="model-type" value={model.modelType} />
        <Fact label="Task" field="task" value={model.task} />
        <Fact
          label="Parameters"
          field="parameters"
          value={formatCompact(model.parameters)}
          title={formatCount(model.parameters)}
        />
        <Fact label="File bytes" field="file-bytes" value={formatBytes(model.fileBytes)} />
        <Fact label="GPU bytes" field="gpu-bytes" value={formatBytes(model.gpuBytes)} />
        <Fact label="Tensors" field="tensor-count" value={formatCount(model.tensors.length)} />
      </dl>

      {model.warnings.length > 0 ? (
        <div className="warn-box" role="note" aria-label="Warnings">
          <p className="warn-title">
            {model.warnings.length} warning{model.warnings.length === 1 ? '' : 's'}
          </p>
          <ul>
            {model.warnings.map((w) => (
              <li key={w} className="mono">
                {w}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="note">No warnings: every tensor was read, and none holds NaN or Inf.</p>
      )}

      <div className="inspect-columns">
        <div className="inspect-tensors">
          <h3 className="subhead">Tensors</h3>
          <TensorTable tensors={model.tensors} showFile={shards.size > 1} />
        </div>

        <div className="inspect-config">
          <h3 className="subhead">Configuration</h3>
          {config.length === 0 ? (
            <p className="note">config.json has no plain fields to show.</p>
          ) : (
            <table className="kv" aria-label="Configuration">
              <tbody>
                {config.map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row" className="mono">
                      {k}
                    </th>
                    <td className="mono">{String(v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </section>
  );
}

function TensorTable({ tensors, showFile }: { tensors: TensorRow[]; showFile: boolean }) {
  const [page, setPage] = useState(0);
  const shown = pageOf(tensors.length, page, TENSOR_PAGE);
  return (
    <>
      {shown.pages > 1 && (
        <nav className="pager" aria-label="Tensor pages">
          <button type="button" onClick={() => setPage(shown.page - 1)} disabled={shown.page === 0}>
            Previous
          </button>
          <span role="status">
            Tensors {formatCount(shown.start + 1)}–{formatCount(shown.end)} of {formatCount(tensors.length)}
          </span>
          <button type="button" onClick={() => setPage(shown.page + 1)} disabled={shown.page === shown.pages - 1}>
            Next
          </button>
        </nav>
      )}
      <div className="table-scroll tensor-scroll" tabIndex={0} role="region" aria-label="Tensor table (scrollable)">
        <table className="results tensors" aria-label="Tensors">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">DType</th>
              <th scope="col">Shape</th>
              <th scope="col" className="num">
                Bytes
              </th>
              {showFile && <th scope="col">File</th>}
            </tr>
          </thead>
          <tbody>
            {tensors.slice(shown.start, shown.end).map((t) => (
              <tr key={t.name}>
                <th scope="row" className="mono">
                  {t.name}
                </th>
                <td className="mono">{t.dtype}</td>
                <td className="mono">[{t.shape.join(', ')}]</td>
                <td className="num">{formatCount(t.bytes)}</td>
                {showFile && <td className="mono">{t.file}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Fact({ label, field, value, title }: { label: string; field: string; value: string; title?: string }) {
  return (
    <div className="summary-item">
      <dt>{label}</dt>
      <dd data-field={field} title={title}>
        {value}
      </dd>
    </div>
  );
}
