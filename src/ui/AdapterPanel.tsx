// The adapter the engine opened: who made it, whether it is a real GPU or a software rasteriser
// (which picks the kernel variants), the features that matter for our kernels, the limits that decide
// what fits, and how kernel times are measured.

import type { AdapterSummary, EngineInfo, KeyLimits } from '../engine/api.ts';
import { loadAdapter, useStore } from '../store/index.ts';
import { formatBytes, formatCount } from './format.ts';

/** Features our kernels can use when present, and what each buys. */
const KEY_FEATURES: Array<{ name: string; why: string }> = [
  { name: 'shader-f16', why: 'half-precision arithmetic in shaders' },
  { name: 'subgroups', why: 'fast reductions across a subgroup' },
  { name: 'timestamp-query', why: 'exact GPU time per kernel' },
];

const LIMITS: Array<{ key: keyof KeyLimits; label: string; bytes: boolean }> = [
  { key: 'maxBufferSize', label: 'Max buffer size', bytes: true },
  { key: 'maxStorageBufferBindingSize', label: 'Max storage binding', bytes: true },
  { key: 'maxStorageBuffersPerShaderStage', label: 'Storage buffers per stage', bytes: false },
  { key: 'maxComputeWorkgroupStorageSize', label: 'Workgroup memory', bytes: true },
  { key: 'maxComputeInvocationsPerWorkgroup', label: 'Invocations per workgroup', bytes: false },
  { key: 'maxComputeWorkgroupSizeX', label: 'Workgroup size X', bytes: false },
  { key: 'maxComputeWorkgroupsPerDimension', label: 'Workgroups per dimension', bytes: false },
];

const TIMING_SOURCES = {
  timestamp: 'GPU timestamps (exact time per kernel)',
  wall: 'wall clock (one submission per kernel)',
};

export function AdapterPanel() {
  const adapter = useStore((s) => s.adapter);
  return (
    <section className="panel" aria-labelledby="adapter-title">
      <h2 id="adapter-title" className="panel-title">
        Adapter
      </h2>
      {adapter.status === 'ready' && adapter.info ? (
        <AdapterDetails info={adapter.info} />
      ) : adapter.status === 'error' && adapter.error ? (
        <div className="error-box" role="alert">
          <p className="error-title">The GPU could not be opened</p>
          <p className="mono">{adapter.error.message}</p>
          {adapter.error.hint && <p>{adapter.error.hint}</p>}
          <button type="button" onClick={() => void loadAdapter()}>
            Try again
          </button>
        </div>
      ) : (
        <p className="note" aria-busy="true">
          Opening the GPU in the engine worker…
        </p>
      )}
    </section>
  );
}

function AdapterDetails({ info }: { info: EngineInfo }) {
  const a = info.adapter;
  const variants = Object.entries(info.variants);
  return (
    <>
      <dl className="facts">
        <dt>Vendor</dt>
        <dd data-field="vendor">{a.vendor || <Unknown />}</dd>
        <dt>Architecture</dt>
        <dd data-field="architecture">{a.architecture || <Unknown />}</dd>
        <dt>Description</dt>
        <dd data-field="description">{a.description || <Unknown />}</dd>
        <dt>Class</dt>
        <dd data-field="class">
          <span className={`pill class-${a.adapterClass}`}>{a.adapterClass}</span>{' '}
          <span className="note">{classNote(a)}</span>
        </dd>
        <dt>Timing</dt>
        <dd data-field="timing">{TIMING_SOURCES[info.timingSource]}</dd>
      </dl>

      <h3 className="subhead">Features</h3>
      <ul className="badges" aria-label="Key features">
        {KEY_FEATURES.map((f) => {
          const present = a.features.includes(f.name);
          return (
            <li
              key={f.name}
              className={`badge ${present ? 'badge-on' : 'badge-off'}`}
              title={`${f.name}: ${f.why}`}
              aria-label={`${f.name}: ${present ? 'present' : 'absent'}`}
            >
              <span aria-hidden="true">{present ? '✓' : '✕'}</span> {f.name}
            </li>
          );
        })}
      </ul>
      <details className="more">
        <summary>All features ({a.features.length})</summary>
        <ul className="badges small">
          {a.features.map((f) => (
            <li key={f} className="badge">
              {f}
            </li>
          ))}
        </ul>
      </details>

      <h3 className="subhead">Key limits</h3>
      <table className="kv">
        <tbody>
          {LIMITS.map((l) => (
            <tr key={l.key}>
              <th scope="row">{l.label}</th>
              <td className="num">{l.bytes ? formatBytes(a.limits[l.key]) : formatCount(a.limits[l.key])}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {variants.length > 0 && (
        <>
          <h3 className="subhead">Kernel variants</h3>
          <table className="kv">
            <tbody>
              {variants.map(([family, variant]) => (
                <tr key={family}>
                  <th scope="row">{family}</th>
                  <td className="mono">{variant}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}

function classNote(a: AdapterSummary): string {
  if (a.adapterClass === 'gpu') return 'a hardware GPU';
  return a.isFallbackAdapter ? "the browser's software fallback" : 'a software rasteriser on the CPU';
}

function Unknown() {
  return <span className="note">not reported</span>;
}
