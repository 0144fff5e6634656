// Kernel timings. Until a model runs, it shows the times of the last self-test, slowest first, as
// bars relative to the slowest kernel. In the generation view, the kernels of the selected step.

import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/index.ts';
import { formatMs } from './format.ts';
import { selectedStepTimings, StepTimings } from './StepTimings.tsx';

const SHOWN = 8;

export function TimingsPanel() {
  const rows = useStore((s) => s.selftest.rows);
  const timed = rows.filter(Boolean).toSorted((a, b) => b.ms - a.ms);
  const slowest = timed[0]?.ms ?? 0;
  const step = useStore(useShallow(selectedStepTimings));
  return (
    <section className="panel" aria-labelledby="timings-title">
      <h2 id="timings-title" className="panel-title">
        Timings
      </h2>
      {step ? (
        <StepTimings step={step} />
      ) : timed.length === 0 ? (
        <p className="note">Per-kernel times appear here while a model runs, or after the self-test.</p>
      ) : (
        <>
          <p className="note">Self-test, wall time per kernel (ms), slowest first.</p>
          <ul className="bars" aria-label="Self-test kernel times">
            {timed.slice(0, SHOWN).map((r) => (
              <li key={r.name} className="bar-row">
                <span className="bar-label" title={r.name}>
                  {r.name}
                </span>
                <span className="bar-track" aria-hidden="true">
                  <span className="bar-fill" style={{ width: `${slowest > 0 ? (100 * r.ms) / slowest : 0}%` }} />
                </span>
                <span className="num">{formatMs(r.ms)}</span>
              </li>
            ))}
          </ul>
          {timed.length > SHOWN && <p className="note">… and {timed.length - SHOWN} faster kernels.</p>}
        </>
      )}
    </section>
  );
}
