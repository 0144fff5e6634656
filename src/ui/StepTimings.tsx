// Kernel times of the step selected in the generation view or the Images view, slowest first, for the
// inspector.

import type { KernelTiming } from '../engine/api.ts';
import { activeBranch, isDiffusionModel, isTextModel, runStepAt, useStore, type StoreState } from '../store/index.ts';
import { formatMs } from './format.ts';

export interface SelectedStepTimings {
  label: string; // e.g. "Step 5 of brown-gpt2"
  ms: number; // wall time of the step
  timings: KernelTiming[];
}

const SHOWN = 10;

/** The selected step's timings when the generation view or the Images view shows one, else null. In the
 *  Images view's side-by-side mode, those of the chosen (left) generator: each panel lists its own too. */
export function selectedStepTimings(s: StoreState): SelectedStepTimings | null {
  if (s.ui.view === 'images') {
    const run = s.image.runs[s.image.form.model];
    const step = runStepAt(run, s.image.selected);
    return step ? { label: `Step ${step.step} · ${run.model}`, ms: step.ms, timings: step.timings } : null;
  }
  if (s.ui.view !== 'generate' || !s.model) return null;
  if (isTextModel(s.model.modelType) && s.text.handle === s.model.handle) {
    const step = activeBranch(s.text)?.steps[s.text.selected - 1];
    return step ? { label: `Step ${step.step} · ${s.model.source}`, ms: step.ms, timings: step.timings } : null;
  }
  if (isDiffusionModel(s.model.modelType) && s.diffusion.handle === s.model.handle) {
    const step = s.diffusion.steps[s.diffusion.selected - 1];
    return step ? { label: `Step ${step.step} · ${s.model.source}`, ms: step.ms, timings: step.timings } : null;
  }
  return null;
}

export function StepTimings({ step }: { step: SelectedStepTimings }) {
  const timingSource = useStore((s) => s.adapter.info?.timingSource);
  const rows = step.timings.toSorted((a, b) => b.ms - a.ms);
  const slowest = rows[0]?.ms ?? 0;
  const total = rows.reduce((n, r) => n + r.ms, 0);
  return (
    <div className="step-timings" data-field="step-timings">
      <p className="note">
        {step.label}: {formatMs(step.ms)} ms wall, {formatMs(total)} ms in kernels
        {timingSource === 'timestamp' ? ' (GPU timestamps)' : timingSource === 'wall' ? ' (wall clock)' : ''}; top
        kernels by time.
      </p>
      {rows.length === 0 ? (
        <p className="note">No kernel times were recorded for this step.</p>
      ) : (
        <ul className="bars" aria-label="Kernel times of the selected step">
          {rows.slice(0, SHOWN).map((r) => (
            <li key={r.name} className="bar-row">
              <span className="bar-label" title={`${r.name} · ${r.calls} call${r.calls === 1 ? '' : 's'}`}>
                {r.name}
              </span>
              <span className="bar-track" aria-hidden="true">
                <span className="bar-fill" style={{ width: `${slowest > 0 ? (100 * r.ms) / slowest : 0}%` }} />
              </span>
              <span className="num">{formatMs(r.ms)}</span>
            </li>
          ))}
        </ul>
      )}
      {rows.length > SHOWN && <p className="note">… and {rows.length - SHOWN} faster kernels.</p>}
    </div>
  );
}
