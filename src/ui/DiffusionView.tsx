// The masked-diffusion step view: sampler and settings, Run / Step / Pause / Step back / Reset, the
// sequence as a grid of token cells (masked, unmasked at this step, committed earlier; coloured by
// the model's confidence; hover or focus a cell for its top-5 candidates at that step), a timeline
// over the kept snapshots, charts of tokens committed per step and of the confidence distribution at
// the selected step, per-step rows and times, and a side-by-side autoregressive run. The attention
// (dense, block top-K, LLSA) and token merging are settings of the run; a finished run with either is
// compared with dense attention ("Compare with dense"), as a cached run is with an uncached one.

import { DifferentTokens, TimeSaved } from './CompareFigures.tsx';
import { useId, useState, type KeyboardEvent } from 'react';
import type { AttentionKind, DiffusionSamplerName, DiffusionStepView } from '../engine/api.ts';
import {
  COMPANION_MODEL,
  diffusionPause,
  diffusionReset,
  diffusionRun,
  diffusionSelectStep,
  diffusionStep,
  diffusionStepBack,
  SAMPLER_FIELDS,
  setSideBySide,
  tokensAt,
  useStore,
  validateDiffusionForm,
  type DiffusionCache,
  type DiffusionForm,
  type DiffusionState,
  type Remasking,
} from '../store/index.ts';
import { diffusionCompareDense, diffusionCompareUncached } from '../store/diffusionActions.ts';
import { ATTENTION_FIELDS, isDenseRun } from '../store/diffusionSlice.ts';
import { BarChart } from './charts/BarChart.tsx';
import { formatMs } from './format.ts';
import { SettingField } from './SettingField.tsx';
import { StepControls, Timeline } from './Timeline.tsx';
import { CONFIDENCE_BIN_LABELS, CONFIDENCE_BINS, confidenceColor, formatProb, visiblePiece } from './tokens.ts';
import './generate.css';

const SAMPLERS: Array<{ id: DiffusionSamplerName; label: string }> = [
  { id: 'mdlm', label: 'mdlm — ancestral sampling' },
  { id: 'llada', label: 'llada — low-confidence remasking, blocks' },
  { id: 'threshold', label: 'threshold — parallel decoding above a confidence' },
];

const CACHES: Array<{ id: DiffusionCache; label: string }> = [
  { id: 'none', label: 'none' },
  { id: 'prefix', label: 'prefix (Fast-dLLM)' },
  { id: 'dual', label: 'dual (Fast-dLLM)' },
  { id: 'dkv', label: 'dkv (dKV-Cache)' },
];

const ATTENTIONS: Array<{ id: AttentionKind; label: string }> = [
  { id: 'dense', label: 'dense (as trained)' },
  { id: 'block-topk', label: 'block top-K' },
  { id: 'llsa', label: 'LLSA (log-linear sparse)' },
];

type NumericKey = 'length' | 'steps' | 'blockLength' | 'threshold' | 'temperature' | 'seed';
type AttentionKey = 'blockSize' | 'topKBlocks' | 'levels' | 'mergeRatio';

const ATTENTION_INPUTS: Array<{ key: AttentionKey; label: string; hint: string; numeric?: boolean }> = [
  { key: 'blockSize', label: 'Block size', hint: 'tokens per block, a power of two', numeric: true },
  { key: 'topKBlocks', label: 'Top-K blocks', hint: 'key blocks kept per query block', numeric: true },
  { key: 'levels', label: 'Levels', hint: 'LLSA: pooled levels', numeric: true },
  { key: 'mergeRatio', label: 'Merge ratio', hint: 'tokens merged per block, 0 = off (≤ 0.75)' },
];

const FIELDS: Array<{ key: NumericKey; label: string; hint: string; numeric?: boolean }> = [
  { key: 'length', label: 'Length', hint: 'masked tokens after the prompt', numeric: true },
  { key: 'steps', label: 'Steps', hint: 'denoising steps', numeric: true },
  { key: 'blockLength', label: 'Block length', hint: 'empty = one block', numeric: true },
  { key: 'threshold', label: 'Threshold', hint: 'commit above this confidence' },
  { key: 'temperature', label: 'Temperature', hint: '0 = argmax' },
  { key: 'seed', label: 'Seed', hint: 'same seed, same run', numeric: true },
];

export type CellState = 'prompt' | 'masked' | 'new' | 'committed';

/** The state of every position at step `k`. */
export function cellStates(d: DiffusionState, k: number): CellState[] {
  const mask = d.info?.maskTokenId ?? -1;
  const start = d.info?.tokens ?? [];
  const tokens = tokensAt(d, k);
  const fresh = new Set(k > 0 ? d.steps[k - 1].unmasked : []);
  return Array.from({ length: tokens.length }, (_, i) =>
    tokens[i] === mask ? 'masked' : start[i] !== mask ? 'prompt' : fresh.has(i) ? 'new' : 'committed',
  );
}

export function DiffusionView({ modelName }: { modelName: string }) {
  const id = useId();
  const d = useStore((s) => s.diffusion);
  const formChanged = useStore((s) => s.diffusionFormChanged);
  const { errors } = validateDiffusionForm(d.form);
  const valid = Object.keys(errors).length === 0;
  const uses = new Set<keyof DiffusionForm>(SAMPLER_FIELDS[d.form.sampler]);
  const attentionUses = new Set<keyof DiffusionForm>([...ATTENTION_FIELDS[d.form.attention], 'mergeRatio']);
  const started = d.info !== null;
  const selected = d.selected;
  const step = selected > 0 ? d.steps[selected - 1] : null;
  const atEnd = selected >= d.steps.length;
  const companionPending = d.sideBySide && d.companion.info !== null && !d.companion.done && d.companion.error === null;
  const finished = started && d.done && !companionPending;
  const states = started ? cellStates(d, selected) : [];
  const maskedLeft = states.filter((s) => s === 'masked').length;

  const status = !started
    ? d.busy
      ? 'Starting…'
      : 'Not started'
    : `Step ${selected} of ${d.steps.length}${d.done ? ' · run finished' : ''}${step ? ` · ${formatMs(step.ms)} ms` : ''}`;

  return (
    <section className="gen diffusion-view" aria-labelledby={`${id}-title`}>
      <header className="gen-head">
        <h2 id={`${id}-title`}>Masked-diffusion text</h2>
        <p className="note">
          <span className="mono">{modelName}</span> starts from masks and unmasks several positions per step, in any
          order. Each cell is a position; its colour is the model’s confidence in the token there.
        </p>
      </header>

      <div className="gen-settings">
        <div className="settings-row">
          <div className="setting">
            <label htmlFor={`${id}-sampler`}>Sampler</label>
            <select
              id={`${id}-sampler`}
              value={d.form.sampler}
              onChange={(e) => formChanged({ sampler: e.target.value as DiffusionSamplerName })}
            >
              {SAMPLERS.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
          <div className={`setting${errors.cache ? ' has-error' : ''}`}>
            <label htmlFor={`${id}-cache`}>Cache</label>
            <select
              id={`${id}-cache`}
              value={d.form.cache}
              aria-invalid={errors.cache ? true : undefined}
              aria-describedby={errors.cache ? `${id}-cache-error` : undefined}
              onChange={(e) => formChanged({ cache: e.target.value as DiffusionCache })}
            >
              {CACHES.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}
                </option>
              ))}
            </select>
            {errors.cache && (
              <span id={`${id}-cache-error`} className="setting-error" role="alert">
                {errors.cache}
              </span>
            )}
          </div>
          <div className="setting">
            <label htmlFor={`${id}-attention`}>Attention</label>
            <select
              id={`${id}-attention`}
              value={d.form.attention}
              onChange={(e) => formChanged({ attention: e.target.value as AttentionKind })}
            >
              {ATTENTIONS.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.label}
                </option>
              ))}
            </select>
          </div>
          <div className="setting">
            <label htmlFor={`${id}-remasking`}>Remasking</label>
            <select
              id={`${id}-remasking`}
              value={d.form.remasking}
              disabled={!uses.has('remasking')}
              onChange={(e) => formChanged({ remasking: e.target.value as Remasking })}
            >
              <option value="low_confidence">low confidence</option>
              <option value="random">random</option>
            </select>
          </div>
        </div>
        <div className="setting setting-prompt">
          <label htmlFor={`${id}-prompt`}>Prompt</label>
          <textarea
            id={`${id}-prompt`}
            rows={2}
            value={d.form.prompt}
            spellCheck={false}
            placeholder="Optional prefix; [MASK] inside it is infilled too"
            onChange={(e) => formChanged({ prompt: e.target.value })}
          />
        </div>
        <div className="settings-grid">
          {FIELDS.map((f) => {
            const used = f.key === 'length' || f.key === 'seed' || uses.has(f.key);
            return (
              <SettingField
                key={f.key}
                label={f.label}
                hint={used ? f.hint : `not used by ${d.form.sampler}`}
                value={d.form[f.key]}
                inputMode={f.numeric ? 'numeric' : 'decimal'}
                disabled={!used}
                error={errors[f.key]}
                onChange={(v) => formChanged({ [f.key]: v })}
              />
            );
          })}
        </div>
        <div className="settings-grid" aria-label="Attention settings" role="group">
          {ATTENTION_INPUTS.map((f) => {
            const used = attentionUses.has(f.key);
            return (
              <SettingField
                key={f.key}
                label={f.label}
                hint={used ? f.hint : `not used by ${d.form.attention} attention`}
                value={d.form[f.key]}
                inputMode={f.numeric ? 'numeric' : 'decimal'}
                disabled={!used}
                error={errors[f.key]}
                onChange={(v) => formChanged({ [f.key]: v })}
              />
            );
          })}
        </div>
        <label className="check">
          <input type="checkbox" checked={d.sideBySide} onChange={(e) => void setSideBySide(e.target.checked)} />
          Side by side with {COMPANION_MODEL} (autoregressive, same prompt, one token per step)
        </label>
        <p className="note settings-note">Settings apply when a run starts (after Reset).</p>
      </div>

      <StepControls
        running={d.running}
        canRun={(valid || started) && !finished && !d.busy}
        canStep={(valid || started) && !d.busy && !(finished && atEnd)}
        canStepBack={selected > 0 && !d.busy}
        canReset={started || !!d.error}
        onRun={() => void diffusionRun()}
        onStep={() => void diffusionStep()}
        onPause={diffusionPause}
        onStepBack={diffusionStepBack}
        onReset={() => void diffusionReset()}
        status={status}
      />

      {finished && (d.info?.settings.cache ?? 'none') !== 'none' && <CompareUncached d={d} />}
      {finished && d.info && !isDenseRun(d.info.settings) && <CompareDense d={d} />}

      <Timeline
        value={selected}
        max={d.steps.length}
        disabled={d.running}
        onChange={diffusionSelectStep}
        zeroLabel="all masked"
      />

      {d.info && d.info.notices.length > 0 && (
        <ul className="notices" aria-label="Notices">
          {d.info.notices.map((n) => (
            <li key={n} className="notice">
              {n}
            </li>
          ))}
        </ul>
      )}

      {d.error && (
        <div className="error-box" role="alert">
          <p className="error-title">The run stopped</p>
          <p className="mono">{d.error.message}</p>
          {d.error.hint && <p>{d.error.hint}</p>}
        </div>
      )}

      {started && (
        <dl className="step-facts num" aria-label="Selected step">
          <div>
            <dt>step</dt>
            <dd data-field="step">{selected}</dd>
          </div>
          <div>
            <dt>unmasked now</dt>
            <dd data-field="unmasked">{step ? step.unmasked.length : 0}</dd>
          </div>
          <div>
            <dt>still masked</dt>
            <dd data-field="masked">{maskedLeft}</dd>
          </div>
          <div>
            <dt>rows computed</dt>
            <dd data-field="rows">{step ? `${step.rows} / ${step.tokens.length}` : '—'}</dd>
          </div>
          <div>
            <dt>forwards</dt>
            <dd>{step ? step.forwards : '—'}</dd>
          </div>
          <div>
            <dt>time</dt>
            <dd>{step ? `${formatMs(step.ms)} ms` : '—'}</dd>
          </div>
        </dl>
      )}

      <TokenGrid d={d} states={states} step={step} />

      {d.sideBySide && <Companion d={d} />}

      <div className="chart-row">
        <BarChart
          title="Tokens committed per step"
          values={d.steps.map((s) => s.unmasked.length)}
          selected={selected > 0 ? selected - 1 : null}
          onSelect={d.running ? undefined : (i) => diffusionSelectStep(i + 1)}
          xTitle="step"
          format={(v) => (Number.isInteger(v) ? String(v) : v.toFixed(1))}
          tooltip={(i, v) => `step ${i + 1}: ${v} unmasked · ${d.steps[i].rows} rows · ${formatMs(d.steps[i].ms)} ms`}
          emptyText="How many positions each step unmasks appears here."
          width={400}
        />
        <BarChart
          title={`Confidence at step ${selected}`}
          values={step ? confidenceHistogram(step, states) : []}
          xLabels={CONFIDENCE_BIN_LABELS}
          xTitle="confidence (log bins)"
          format={(v) => (Number.isInteger(v) ? String(v) : v.toFixed(1))}
          tooltip={(i, v) => `confidence ${binRange(i)}: ${v} position${v === 1 ? '' : 's'}`}
          emptyText="The distribution of the model’s confidence over unmasked positions at the selected step."
          width={400}
        />
      </div>

      {d.steps.length > 0 && <StepTable d={d} />}
    </section>
  );
}

/** The cached run against the same settings without a cache: speed-up and identical tokens. */
function CompareUncached({ d }: { d: DiffusionState }) {
  const c = d.compare;
  const r = c.report;
  const running = c.status === 'running';
  return (
    <div className="compare-uncached" role="region" aria-label="Compare with uncached">
      <button type="button" disabled={d.busy || d.running} onClick={() => void diffusionCompareUncached()}>
        Compare with uncached
      </button>
      <span className="note" role="status">
        {running && `Running without cache… step ${c.step}`}
        {c.status === 'done' && r && (
          <span className="compare-report num">
            <span data-field="speedup">
              {Number.isFinite(r.speedup)
                ? r.speedup >= 1
                  ? `${r.speedup.toFixed(1)}× faster`
                  : `${(1 / r.speedup).toFixed(1)}× slower`
                : '—'}
            </span>
            {' · '}
            <span data-field="identical">
              {r.identical}/{r.total} tokens identical (
              {r.total > 0 ? ((100 * r.identical) / r.total).toFixed(1) : '100.0'} %)
            </span>
            <span className="compare-ms">
              {' '}
              ({formatMs(r.uncachedMs)} ms uncached vs {formatMs(r.cachedMs)} ms with {d.info?.settings.cache})
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

/** The run with sparse attention or token merging against dense attention at the same settings:
 *  deviation of the logits, generated tokens that differ, and the time per step both ways. */
function CompareDense({ d }: { d: DiffusionState }) {
  const c = d.denseCompare;
  const r = c.report;
  return (
    <div className="compare-uncached compare-dense" role="region" aria-label="Compare with dense">
      <button type="button" disabled={d.busy || d.running} onClick={() => void diffusionCompareDense()}>
        Compare with dense
      </button>
      <span className="note" role="status">
        {c.status === 'running' && `Running with dense attention… step ${c.step}`}
        {c.status === 'done' && r && (
          <span className="compare-report">
            <span data-field="rel-l2" title="relative L2 distance of the logits from dense attention's">
              logits {r.relL2.toExponential(2)} from dense on the start, {r.textRelL2.toExponential(2)} on the dense
              text
            </span>
            {' · '}
            <DifferentTokens different={r.different} total={r.total} />
            {' · '}
            <TimeSaved msPerStep={r.msPerStep} denseMsPerStep={r.denseMsPerStep} speedup={r.speedup} />
            <span className="compare-ms">
              {' '}
              ({formatMs(r.msPerStep)} vs {formatMs(r.denseMsPerStep)} ms/step dense, medians
              {r.paddedTo > (d.info?.tokens.length ?? 0) ? `; padded to ${r.paddedTo} tokens` : ''})
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

/** Unmasked generated positions (the prompt excluded) by confidence, in log-spaced bins. */
function confidenceHistogram(step: DiffusionStepView, states: CellState[]): number[] {
  const bins = new Array<number>(CONFIDENCE_BINS.length).fill(0);
  step.confidence.forEach((c, i) => {
    if (Number.isNaN(c) || states[i] === 'prompt' || states[i] === 'masked') return;
    let b = CONFIDENCE_BINS.length - 1;
    while (b > 0 && c < CONFIDENCE_BINS[b]) b--;
    bins[b]++;
  });
  return bins;
}

function binRange(i: number): string {
  const hi = i + 1 < CONFIDENCE_BINS.length ? formatProb(CONFIDENCE_BINS[i + 1]) : '100 %';
  return i === 0 ? `below ${hi}` : `${formatProb(CONFIDENCE_BINS[i])} – ${hi}`;
}

/** Arrow keys, Home and End move the focus between the grid's cells. */
function moveFocus(e: KeyboardEvent<HTMLOListElement>) {
  const cells = Array.from(e.currentTarget.children) as HTMLElement[];
  const at = cells.indexOf(document.activeElement as HTMLElement);
  if (at < 0) return;
  const next =
    e.key === 'ArrowRight' || e.key === 'ArrowDown'
      ? at + 1
      : e.key === 'ArrowLeft' || e.key === 'ArrowUp'
        ? at - 1
        : e.key === 'Home'
          ? 0
          : e.key === 'End'
            ? cells.length - 1
            : null;
  if (next === null) return;
  e.preventDefault();
  cells[Math.max(0, Math.min(cells.length - 1, next))]?.focus();
}

/** Text of the candidate at flat index [position · 5 + rank] of a step. */
function pieceOf(step: DiffusionStepView, flat: number): string {
  return visiblePiece(step.topPieces[flat]);
}

function TokenGrid({ d, states, step }: { d: DiffusionState; states: CellState[]; step: DiffusionStepView | null }) {
  const [shown, setShown] = useState<number | null>(null);
  const tipId = useId();
  if (!d.info) {
    return (
      <div className="grid-box">
        <p className="note">Press Step or Run: the sequence appears here, one cell per position.</p>
      </div>
    );
  }
  const tokens = tokensAt(d, d.selected);
  const pieces = step ? step.pieces : d.info.pieces;
  const focus = shown ?? (step && step.unmasked.length > 0 ? step.unmasked[0] : null);
  return (
    <div className="grid-box">
      <ol className="token-grid" aria-label="Sequence" data-step={d.selected} onKeyDown={moveFocus}>
        {Array.from(tokens, (t, i) => {
          const state = states[i];
          const c = step ? step.confidence[i] : NaN;
          const coloured = state === 'new' || state === 'committed';
          return (
            <li
              key={i}
              className={`cell cell-${state}${focus === i ? ' is-focus' : ''}`}
              // One tab stop for the grid; the arrow keys move between cells.
              tabIndex={i === (focus ?? 0) ? 0 : -1}
              data-pos={i}
              data-token={t}
              data-state={state}
              data-confidence={Number.isNaN(c) ? '' : c.toFixed(4)}
              aria-describedby={shown === i ? tipId : undefined}
              aria-label={`position ${i}: ${state === 'masked' ? 'masked' : `“${pieces[i]}”, ${state}`}${
                coloured && !Number.isNaN(c) ? `, confidence ${formatProb(c)}` : ''
              }`}
              style={
                coloured && !Number.isNaN(c)
                  ? { background: confidenceColor(c, 24), borderColor: confidenceColor(c, 48) }
                  : undefined
              }
              onMouseEnter={() => setShown(i)}
              onFocus={() => setShown(i)}
              onMouseLeave={() => setShown((cur) => (cur === i ? null : cur))}
              onBlur={() => setShown((cur) => (cur === i ? null : cur))}
            >
              {state === 'masked' ? '' : visiblePiece(pieces[i])}
            </li>
          );
        })}
      </ol>
      <div className="grid-legend note" aria-hidden="true">
        <span className="legend-item">
          <span className="swatch cell-masked" /> masked
        </span>
        <span className="legend-item">
          <span className="swatch swatch-new" /> unmasked at this step
        </span>
        <span className="legend-item">
          <span className="swatch swatch-committed" /> committed earlier
        </span>
        <span className="legend-item">
          <span className="swatch cell-prompt" /> prompt
        </span>
        <span className="legend-item">
          confidence <span className="swatch-scale" /> 0.1 % → 100 % (log)
        </span>
      </div>
      <PositionDetails d={d} step={step} pos={focus} states={states} tipId={tipId} live={shown !== null} />
    </div>
  );
}

function PositionDetails({
  d,
  step,
  pos,
  states,
  tipId,
  live,
}: {
  d: DiffusionState;
  step: DiffusionStepView | null;
  pos: number | null;
  states: CellState[];
  tipId: string;
  live: boolean;
}) {
  if (pos === null || !step) {
    return (
      <div className="pos-details" id={live ? tipId : undefined} role={live ? 'tooltip' : undefined}>
        <p className="note">
          Hover or focus a cell to see the model’s five most likely tokens at that position, at the selected step.
        </p>
      </div>
    );
  }
  const top = step.topProbs[pos * 5] || 1;
  const state = states[pos];
  const c = step.confidence[pos];
  return (
    <div className="pos-details" id={live ? tipId : undefined} role={live ? 'tooltip' : undefined} data-pos={pos}>
      <p className="pos-title">
        Position {pos} · step {d.selected} ·{' '}
        {state === 'masked' ? (
          'still masked'
        ) : (
          <>
            <span className="mono">“{visiblePiece(step.pieces[pos])}”</span> {state === 'new' ? 'unmasked now' : state}
            {!Number.isNaN(c) && <> · confidence {formatProb(c)}</>}
          </>
        )}
      </p>
      <ol className="cand-list" aria-label={`Top candidates at position ${pos}`}>
        {Array.from({ length: 5 }, (_, k) => {
          const flat = pos * 5 + k;
          const p = step.topProbs[flat];
          const tokenId = step.topIds[flat];
          return (
            <li key={k} className={`cand${tokenId === step.tokens[pos] ? ' is-chosen' : ''}`} data-token={tokenId}>
              <span className="cand-piece mono" title={`token ${tokenId}`}>
                {pieceOf(step, flat)}
              </span>
              <span className="cand-track" aria-hidden="true">
                <span className="cand-fill" style={{ width: `${(100 * p) / top}%` }} />
              </span>
              <span className="cand-p num">{formatProb(p)}</span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

function Companion({ d }: { d: DiffusionState }) {
  const c = d.companion;
  const k = d.selected >= d.steps.length ? c.steps.length : Math.min(d.selected, c.steps.length);
  const shown = c.steps.slice(0, k);
  const diffusionMs = d.steps.reduce((n, s) => n + s.ms, 0);
  const generated = d.info ? d.info.tokens.filter((t) => t === d.info!.maskTokenId).length : 0;
  return (
    <section className="companion" aria-label="Side by side">
      <div className="companion-col">
        <h3 className="subhead">
          {COMPANION_MODEL} · autoregressive · {c.status === 'loading' ? 'loading…' : `after ${k} steps`}
        </h3>
        {c.error ? (
          <div className="error-box" role="alert">
            <p className="error-title">{COMPANION_MODEL} could not run</p>
            <p className="mono">{c.error.message}</p>
            {c.error.hint && <p>{c.error.hint}</p>}
          </div>
        ) : (
          <p className="gen-text companion-text" data-field="companion-text">
            {c.info?.promptPieces.map((p, i) => (
              <span key={`p${i}`} className="tok tok-prompt">
                {p}
              </span>
            ))}
            {shown.map((s) => (
              <span key={s.step} className="tok tok-gen" data-step={s.step} data-token={s.token}>
                {s.piece}
              </span>
            ))}
            {!c.info && <span className="note">Runs when the diffusion run starts.</span>}
          </p>
        )}
      </div>
      <dl className="companion-facts num">
        <div>
          <dt>{COMPANION_MODEL}</dt>
          <dd>
            {c.steps.length} tokens in {c.steps.length} steps · {formatMs(c.ms)} ms
          </dd>
        </div>
        <div>
          <dt>diffusion</dt>
          <dd>
            {generated} tokens in {d.steps.length} steps · {formatMs(diffusionMs)} ms
          </dd>
        </div>
      </dl>
    </section>
  );
}

function StepTable({ d }: { d: DiffusionState }) {
  return (
    <details className="more step-table-box">
      <summary>Per-step rows and times ({d.steps.length} steps)</summary>
      <div className="table-scroll step-table-scroll">
        <table className="results" aria-label="Per-step rows and times">
          <thead>
            <tr>
              <th className="num">step</th>
              <th className="num">unmasked</th>
              <th className="num">rows computed</th>
              <th className="num">forwards</th>
              <th className="num">ms</th>
            </tr>
          </thead>
          <tbody>
            {d.steps.map((s) => (
              <tr
                key={s.step}
                className={s.step === d.selected ? 'is-selected' : undefined}
                onClick={() => diffusionSelectStep(s.step)}
              >
                <td className="num">{s.step}</td>
                <td className="num">{s.unmasked.length}</td>
                <td className="num">
                  {s.rows} / {s.tokens.length}
                </td>
                <td className="num">{s.forwards}</td>
                <td className="num">{formatMs(s.ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
