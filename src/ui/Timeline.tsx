// The step controls and the timeline shared by the generation views. The timeline is a range input
// (accessible name "Timeline"): arrow keys, Home/End and dragging move through the step snapshots the
// store keeps, without recomputing anything.

import { useId } from 'react';

interface ControlsProps {
  canRun: boolean; // a run can start or continue
  canStep: boolean;
  canStepBack: boolean;
  canReset: boolean;
  running: boolean;
  onRun(): void;
  onStep(): void;
  onPause(): void;
  onStepBack(): void;
  onReset(): void;
  status?: string; // e.g. "Step 5 of 32"
}

export function StepControls(p: ControlsProps) {
  return (
    <div className="step-controls" role="group" aria-label="Step controls">
      <button type="button" className="primary" onClick={p.onRun} disabled={!p.canRun || p.running}>
        Run
      </button>
      <button type="button" onClick={p.onStep} disabled={!p.canStep || p.running}>
        Step
      </button>
      <button type="button" onClick={p.onPause} disabled={!p.running}>
        Pause
      </button>
      <button type="button" onClick={p.onStepBack} disabled={!p.canStepBack || p.running}>
        Step back
      </button>
      <button type="button" onClick={p.onReset} disabled={!p.canReset}>
        Reset
      </button>
      {p.status && (
        <span className="step-status num" role="status">
          {p.status}
        </span>
      )}
    </div>
  );
}

interface TimelineProps {
  value: number; // the selected step (0 = before the first step)
  max: number; // steps computed
  disabled?: boolean;
  onChange(step: number): void;
  /** Step numbers where something happened (e.g. where branches were cut), marked under the track. */
  marks?: number[];
  zeroLabel?: string; // what step 0 shows, e.g. "prompt"
}

export function Timeline({ value, max, disabled, onChange, marks = [], zeroLabel = 'start' }: TimelineProps) {
  const id = useId();
  const text = value === 0 ? `${zeroLabel} (step 0 of ${max})` : `step ${value} of ${max}`;
  return (
    <div className="timeline">
      <label htmlFor={`${id}-range`} className="timeline-label">
        Timeline
      </label>
      <div className="timeline-track">
        <input
          id={`${id}-range`}
          type="range"
          min={0}
          max={Math.max(max, 0)}
          step={1}
          value={Math.min(value, max)}
          disabled={disabled || max === 0}
          aria-valuetext={text}
          onChange={(e) => onChange(Number(e.target.value))}
        />
        {max > 0 && marks.length > 0 && (
          <div className="timeline-marks" aria-hidden="true">
            {marks
              .filter((m) => m > 0 && m <= max)
              .map((m) => (
                <span key={m} className="timeline-mark" style={{ left: `${(100 * m) / max}%` }} />
              ))}
          </div>
        )}
      </div>
      <span className="timeline-value num" data-field="timeline-step">
        {value === 0 ? zeroLabel : `${value} / ${max}`}
      </span>
    </div>
  );
}
