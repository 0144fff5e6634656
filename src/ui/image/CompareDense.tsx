// "Compare with dense" for a finished emoji-maskgit run with sparse attention or token merging: the
// same settings and seed run again with dense attention, then the deviation of the logits (one forward
// on the dense run's grid after its first step), the tokens of the final grids that differ, and the
// median time per step both ways.

import type { ImageDenseCompare, ImageRun } from '../../store/image.ts';
import { imageCompareDense } from '../../store/imageActions.ts';
import { DifferentTokens, TimeSaved } from '../CompareFigures.tsx';
import { formatMs } from '../format.ts';

interface Props {
  run: ImageRun; // the finished emoji-maskgit run
  compare: ImageDenseCompare;
  disabled: boolean; // an engine call is in flight, or a run goes on
}

export function CompareDense({ run, compare: c, disabled }: Props) {
  const r = c.session === run.info?.id ? c.report : null;
  return (
    <div className="compare-uncached compare-dense" role="region" aria-label="Compare with dense">
      <button type="button" disabled={disabled} onClick={() => void imageCompareDense()}>
        Compare with dense
      </button>
      <span className="note" role="status">
        {c.status === 'running' && `Running ${run.model} with dense attention… step ${c.step}`}
        {c.status === 'done' && r && (
          <span className="compare-report">
            <span
              data-field="rel-l2"
              title="relative L2 distance of the logits from dense attention’s, one forward on the dense run’s grid after its first step"
            >
              logits {r.relL2.toExponential(2)} from dense (rel. L2; max |Δ| {r.maxAbs.toPrecision(3)})
            </span>
            {' · '}
            <DifferentTokens different={r.different} total={r.total} />
            {' · '}
            <TimeSaved msPerStep={r.msPerStep} denseMsPerStep={r.denseMsPerStep} speedup={r.speedup} />
            <span className="compare-ms">
              {' '}
              ({formatMs(r.msPerStep)} vs {formatMs(r.denseMsPerStep)} ms/step dense, medians over {r.steps} steps;
              logits measured after step 1 of the dense run)
            </span>
          </span>
        )}
      </span>
      {c.status === 'error' && c.error && (
        <p className="setting-error" role="alert">
          {c.error.message}
        </p>
      )}
    </div>
  );
}
