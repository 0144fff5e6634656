// The kernel self-test: every WGSL kernel runs on random inputs in the engine worker and is compared
// with its float64 CPU reference. Rows appear as each check finishes.

import { runSelftest, useStore } from '../store/index.ts';
import { formatError, formatMs } from './format.ts';

export function SelftestPanel() {
  const selftest = useStore((s) => s.selftest);
  const ready = useStore((s) => s.adapter.status === 'ready');
  const { running, progress, error, finished } = selftest;
  const rows = selftest.rows.filter(Boolean);
  const passed = rows.filter((r) => r.pass).length;
  const failed = rows.length - passed;

  return (
    <section className="selftest" aria-labelledby="selftest-title">
      <div className="selftest-head">
        <div>
          <h2 id="selftest-title">Kernel self-test</h2>
          <p className="note">
            Runs every kernel on seeded random inputs on this GPU and compares the result with a double-precision CPU
            reference. A row passes when the largest absolute error stays within the tolerance.
          </p>
        </div>
        <button type="button" className="primary" onClick={() => void runSelftest()} disabled={running || !ready}>
          {running ? 'Running…' : 'Run self-test'}
        </button>
      </div>

      {(running || finished) && (
        <div className="selftest-status">
          {running && (
            <progress
              aria-label="Self-test progress"
              max={Math.max(progress.total, 1)}
              value={progress.total === 0 ? undefined : progress.done}
            />
          )}
          <p className={`summary ${finished ? (failed === 0 ? 'tone-ok' : 'tone-bad') : ''}`} role="status">
            {finished
              ? `${passed}/${rows.length} passed${failed > 0 ? ` — ${failed} failed` : ''}`
              : progress.total > 0
                ? `Running: ${progress.done} of ${progress.total} checks done`
                : 'Starting…'}
          </p>
        </div>
      )}

      {error && (
        <div className="error-box" role="alert">
          <p className="error-title">The self-test stopped</p>
          <p className="mono">{error.message}</p>
          {error.hint && <p>{error.hint}</p>}
        </div>
      )}

      {rows.length > 0 && (
        <div className="table-scroll">
          <table className="results" aria-label="Self-test results">
            <thead>
              <tr>
                <th scope="col">Kernel</th>
                <th scope="col">Result</th>
                <th scope="col" className="num">
                  Max abs error
                </th>
                <th scope="col" className="num">
                  Tolerance
                </th>
                <th scope="col" className="num">
                  ms
                </th>
                <th scope="col">Shape</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.name} className={r.pass ? 'row-pass' : 'row-fail'}>
                  <th scope="row" className="mono">
                    {r.name}
                  </th>
                  <td>
                    <span className={`pill ${r.pass ? 'pill-pass' : 'pill-fail'}`}>{r.pass ? 'pass' : 'fail'}</span>
                  </td>
                  <td className="num">{formatError(r.maxAbsErr)}</td>
                  <td className="num">{formatError(r.tolerance)}</td>
                  <td className="num">{formatMs(r.ms)}</td>
                  <td className="mono dim">{r.shape}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {!ready && !running && rows.length === 0 && (
        <p className="note">The self-test needs the GPU adapter to be open.</p>
      )}
    </section>
  );
}
