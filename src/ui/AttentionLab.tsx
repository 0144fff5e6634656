// The attention lab: one head of attention over synthetic tokens, or over Q/K/V captured from a step
// of the loaded masked-diffusion model, dense against the sparse kernels. Settings (N, head size, B,
// K, LLSA levels, input — with the model's layer, head and text —, query block, seed, ToMe ratio) and
// Run; then the times and speed-ups, the errors against dense, the blocks the chosen query block
// selected at every level (click a block to choose another query block: every block's selections
// came back, so no new run is needed), and token merging drawn over the token grid or sequence.

import { useId, type ReactNode } from 'react';
import type { AttentionLabInput, AttentionLabMethod, AttentionLabResult } from '../engine/api.ts';
import {
  LAB_BLOCKS,
  LAB_HEAD_DIMS,
  labBlockMaps,
  labMaxLevels,
  labModelOf,
  labTokenChoices,
  paperLevels,
  runAttentionLab,
  shownQueryBlock,
  useStore,
  validateLabForm,
  type AttentionLabForm,
  type LabModelInfo,
} from '../store/index.ts';
import { BarChart } from './charts/BarChart.tsx';
import { LabBlockMap } from './charts/LabBlockMap.tsx';
import { LabTomeGrid } from './charts/LabTomeGrid.tsx';
import { formatCount, formatError, formatMs } from './format.ts';
import { SettingField } from './SettingField.tsx';
import './generate.css';
import './attentionLab.css';

const INPUTS: Array<{ id: AttentionLabInput; label: string }> = [
  { id: 'smooth', label: 'smooth 2-D fields (Morton order)' },
  { id: 'random', label: 'random, uniform in [−1, 1)' },
];

/** The inputs offered: the model input while a masked-diffusion model is loaded (or still chosen). */
function inputOptions(model: LabModelInfo | null, input: AttentionLabInput): Array<{ value: string; label: string }> {
  const options = INPUTS.map((i) => ({ value: i.id, label: i.label }));
  if (model || input === 'model') {
    options.push({ value: 'model', label: `Q/K/V from a model step${model ? ` (${model.source})` : ''}` });
  }
  return options;
}

/** 0 … n − 1 as choices. */
const indices = (n: number) => Array.from({ length: n }, (_, i) => ({ value: String(i), label: String(i) }));

/** On a CPU adapter dense attention is slow from here on: the view says so before a run. */
const SLOW_DENSE_TOKENS = 8192;

function Select({
  label,
  value,
  options,
  onChange,
  hint,
  error,
}: {
  label: string;
  value: string;
  options: Array<{ value: string; label: string }>;
  onChange(value: string): void;
  hint?: string;
  error?: string;
}) {
  const id = useId();
  return (
    <div className={`setting${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.target.value)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && !error && (
        <span id={`${id}-hint`} className="setting-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="setting-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

const numbers = (xs: number[]) => xs.map((x) => ({ value: String(x), label: formatCount(x) }));

export function AttentionLab() {
  const id = useId();
  const lab = useStore((s) => s.attentionLab);
  const adapterClass = useStore((s) => s.adapter.info?.adapter.adapterClass ?? 'cpu');
  const ready = useStore((s) => s.adapter.status === 'ready');
  const formChanged = useStore((s) => s.labFormChanged);
  const model = labModelOf(useStore((s) => s.model));
  const { form, running, result, error } = lab;
  const fromModel = form.input === 'model';
  const { errors } = validateLabForm(form, adapterClass, model);
  const valid = Object.keys(errors).length === 0;
  const n = Number(form.n);
  const block = Number(form.block);
  const maxLevels = Math.max(1, labMaxLevels(n, block));
  const set = (key: keyof AttentionLabForm) => (value: string) => formChanged({ [key]: value });
  const slow = adapterClass === 'cpu' && n >= SLOW_DENSE_TOKENS;

  return (
    <section className="gen attention-lab" aria-labelledby={`${id}-title`}>
      <header className="gen-head">
        <h2 id={`${id}-title`}>Attention lab</h2>
        <p className="note">
          One head of bidirectional attention over N tokens: synthetic, or captured from a step of the loaded
          masked-diffusion model. <strong>Dense</strong> attention compares every query with every key (N² work).{' '}
          <strong>Block top-K</strong> mean-pools queries and keys into blocks of B tokens and lets each query block
          attend to its K best key blocks only. <strong>LLSA</strong> selects hierarchically: top-K among all blocks
          only at the coarsest level, then among the children of those picks at each finer level, and also attends to
          the pooled tokens of every level — O(N log N).
        </p>
      </header>

      <div className="gen-settings">
        <div className="settings-grid">
          <Select
            label="Input"
            value={form.input}
            options={inputOptions(model, form.input)}
            onChange={(v) => formChanged({ input: v as AttentionLabInput })}
            hint={model ? undefined : 'load brown-mdlm to capture Q/K/V from it'}
            error={errors.input}
          />
          <Select
            label="Tokens N"
            value={form.n}
            options={numbers(labTokenChoices(adapterClass, fromModel ? model : null))}
            onChange={set('n')}
            hint={fromModel && model ? `up to the model's context, ${formatCount(model.context)}` : undefined}
            error={errors.n}
          />
          {fromModel && model ? (
            <Select
              label="Head size D"
              value={String(model.headDim)}
              options={numbers([model.headDim])}
              onChange={set('headDim')}
              hint="the model's"
            />
          ) : (
            <Select
              label="Head size D"
              value={form.headDim}
              options={numbers(LAB_HEAD_DIMS)}
              onChange={set('headDim')}
              error={errors.headDim}
            />
          )}
          {fromModel && model && (
            <>
              <Select
                label="Layer"
                value={form.layer}
                options={indices(model.layers)}
                onChange={set('layer')}
                hint={`block 0 … ${model.layers - 1}`}
                error={errors.layer}
              />
              <Select
                label="Head"
                value={form.head}
                options={indices(model.heads)}
                onChange={set('head')}
                hint={`0 … ${model.heads - 1}`}
                error={errors.head}
              />
            </>
          )}
          <Select
            label="Block size B"
            value={form.block}
            options={numbers(LAB_BLOCKS)}
            onChange={set('block')}
            error={errors.block}
          />
          <SettingField
            label="Top-K"
            value={form.topk}
            inputMode="numeric"
            hint="blocks kept per query block"
            error={errors.topk}
            onChange={set('topk')}
          />
          <Select
            label="LLSA levels L"
            value={form.levels}
            options={numbers(Array.from({ length: maxLevels }, (_, i) => i + 1))}
            onChange={set('levels')}
            hint={`the paper's rule: L = ${paperLevels(n, block)}`}
            error={errors.levels}
          />
          <SettingField
            label="Query block"
            value={form.queryBlock}
            inputMode="numeric"
            hint={`0 … ${formatCount(n / block - 1)}, or click a block`}
            error={errors.queryBlock}
            onChange={set('queryBlock')}
          />
          <SettingField
            label="Seed"
            value={form.seed}
            inputMode="numeric"
            hint="same seed, same tokens"
            error={errors.seed}
            onChange={set('seed')}
          />
          <SettingField
            label="ToMe ratio"
            value={form.tomeRatio}
            hint="share of tokens merged, 0 … 0.75"
            error={errors.tomeRatio}
            onChange={set('tomeRatio')}
          />
        </div>
        {fromModel && model && (
          <>
            <div className="setting setting-prompt">
              <label htmlFor={`${id}-text`}>Text</label>
              <textarea
                id={`${id}-text`}
                rows={2}
                value={form.text}
                spellCheck={false}
                placeholder="Empty: the first sentence of the Brown corpus"
                onChange={(e) => formChanged({ text: e.target.value })}
              />
            </div>
            <p className="note settings-note">
              One forward of {model.source} over the text followed by [MASK] up to N tokens — what a denoising step
              sees, at the noise level of a step with that share still masked. The lab takes the chosen layer’s Q and K
              after the rotary embedding (as attention sees them) and V, for one head.
            </p>
          </>
        )}
      </div>

      <div className="step-controls">
        <button
          type="button"
          className="primary"
          disabled={!valid || running || !ready}
          onClick={() => void runAttentionLab()}
        >
          {running ? 'Running…' : 'Run'}
        </button>
        <span className="step-status" role="status">
          {running
            ? `Timing dense, block top-K, LLSA and ToMe at N = ${formatCount(n)}…`
            : result
              ? `Ran N = ${formatCount(result.request.n)}, D = ${result.request.headDim}, B = ${result.request.block}, K = ${result.request.topk}, L = ${result.request.levels} · ${inputName(result)} · times by ${result.timingSource === 'timestamp' ? 'GPU timestamps' : 'wall clock'}`
              : 'Not run yet'}
        </span>
      </div>
      {slow && (
        <p className="notice">
          Dense attention is O(N²): at N = {formatCount(n)} it takes from seconds to minutes per call on this CPU
          adapter.
        </p>
      )}

      {error && (
        <div className="error-box" role="alert">
          <p className="error-title">The lab stopped</p>
          <p className="mono">{error.message}</p>
          {error.hint && <p>{error.hint}</p>}
        </div>
      )}

      {result && <LabResults result={result} form={form} onQuery={(b) => formChanged({ queryBlock: String(b) })} />}
    </section>
  );
}

function inputName(result: AttentionLabResult): string {
  const c = result.capture;
  return c ? `${c.source} layer ${c.layer}, head ${c.head}` : `${result.request.input} input`;
}

/** A relative error as a percentage while it is one of a visible size, else in exponent form. */
function formatRel(x: number): string {
  return x >= 1e-3 && Number.isFinite(x) ? `${(100 * x).toPrecision(2)} %` : formatError(x);
}

/** An absolute error: three significant digits while it is of a visible size, else in exponent form. */
function formatAbs(x: number): string {
  return x >= 1e-3 && Number.isFinite(x) ? x.toPrecision(3) : formatError(x);
}

/** Where ToMe ran: "32×32 grid", or "256-token sequence" for the model's text. */
function tomePlace(tome: AttentionLabResult['tome']): string {
  return tome.height === 1 ? `${formatCount(tome.width)}-token sequence` : `${tome.height}×${tome.width} grid`;
}

/** What the model input ran on: the model, layer and head, the text and the [MASK] after it, σ. */
function CaptureNote({ result }: { result: AttentionLabResult }) {
  const c = result.capture!;
  const masks = result.request.n - c.textTokens;
  return (
    <p className="note lab-capture" data-text-tokens={c.textTokens} data-layer={c.layer} data-head={c.head}>
      Q/K/V of {c.source}, layer {c.layer} of {c.layers}, head {c.head} of {c.heads}, over{' '}
      {c.pieces ? <q className="mono">{c.pieces.join('')}</q> : 'the given token ids'} ({formatCount(c.textTokens)}{' '}
      tokens) and {formatCount(masks)} [MASK], at σ = {c.sigma.toFixed(2)}.
    </p>
  );
}

function speedup(dense: number, ms: number): string {
  return ms > 0 ? `${(dense / ms).toFixed(dense / ms >= 10 ? 0 : 1)}×` : '—';
}

function MethodRow({ name, m, dense, note }: { name: string; m: AttentionLabMethod; dense: number; note?: ReactNode }) {
  return (
    <tr data-method={name}>
      <th scope="row">
        {name}
        {note}
      </th>
      <td className="num" data-field="ms" title={`median of ${m.samples} call${m.samples === 1 ? '' : 's'}`}>
        {formatMs(m.ms)}
      </td>
      <td className="num" data-field="speedup">
        {m.error ? speedup(dense, m.ms) : '1×'}
      </td>
      <td className="num">{formatCount(m.keysPerQuery)}</td>
      <td className="num" data-field="rel-l2">
        {m.error ? formatRel(m.error.relL2) : '—'}
      </td>
      <td className="num">{m.error ? formatAbs(m.error.maxAbs) : '—'}</td>
    </tr>
  );
}

function LabResults({
  result,
  form,
  onQuery,
}: {
  result: AttentionLabResult;
  form: AttentionLabForm;
  onQuery(block: number): void;
}) {
  const { dense, blockTopk, llsa, tome, request } = result;
  const query = shownQueryBlock(form, result);
  const maps = labBlockMaps(result, query);
  const tomeMethod: AttentionLabMethod = {
    ms: tome.ms,
    samples: tome.samples,
    keysPerQuery: tome.kept,
    error: tome.error,
  };
  return (
    <>
      {result.capture && <CaptureNote result={result} />}
      <div className="lab-summary">
        <div className="table-scroll">
          <table className="results lab-table" aria-label="Dense vs sparse attention">
            <thead>
              <tr>
                <th scope="col">method</th>
                <th scope="col" className="num">
                  ms
                </th>
                <th scope="col" className="num">
                  speed-up
                </th>
                <th scope="col" className="num" title="keys one query row attends to">
                  keys
                </th>
                <th scope="col" className="num" title="relative L2 error against dense attention">
                  rel. L2
                </th>
                <th scope="col" className="num" title="largest absolute error against dense attention">
                  max err.
                </th>
              </tr>
            </thead>
            <tbody>
              <MethodRow name="dense" m={dense} dense={dense.ms} />
              <MethodRow name="block top-K" m={blockTopk} dense={dense.ms} />
              <MethodRow name="LLSA" m={llsa} dense={dense.ms} />
              <MethodRow
                name="ToMe"
                m={tomeMethod}
                dense={tome.denseMs}
                note={
                  <span className="lab-row-note">
                    {tomePlace(tome)}
                    {tome.sharedInput ? '' : ' of its own'}, ratio {tome.ratio}
                    {tome.sharedInput ? '' : `, dense ${formatMs(tome.denseMs)} ms`}
                  </span>
                }
              />
            </tbody>
          </table>
        </div>
        <BarChart
          title="Time per call"
          values={[dense.ms, blockTopk.ms, llsa.ms]}
          xLabels={['dense', 'block top-K', 'LLSA']}
          unit="ms"
          format={formatMs}
          width={360}
          height={150}
        />
      </div>
      <p className="note lab-explain">
        ms: time per call, the median of {request.reps} calls after a warm-up call (a call over 2 s is timed once).
        Keys: how many keys one query row attends to. Errors compare each output with dense attention over the same
        tokens: relative L2 over the whole output, and the largest difference of one value.
      </p>

      <section className="lab-maps-box" aria-labelledby="lab-maps-title">
        <div className="lab-maps-head">
          <h3 id="lab-maps-title" className="subhead">
            Blocks selected by query block {query}
          </h3>
          <ul className="grid-legend" aria-label="Legend">
            <li className="legend-item">
              <span className="swatch lab-swatch-selected" /> kept
            </li>
            <li className="legend-item">
              <span className="swatch lab-swatch-candidate" /> considered, not kept
            </li>
            <li className="legend-item">
              <span className="swatch lab-swatch-other" /> not considered at this level
            </li>
            <li className="legend-item">
              <span className="swatch lab-swatch-query" /> the query block
            </li>
          </ul>
        </div>
        <p className="note">
          {result.grid
            ? `Each cell is the patch of the ${result.grid.height}×${result.grid.width} token grid that one block pools (Morton order makes blocks square or 2:1 patches).`
            : result.capture
              ? `Blocks of the model's sequence in reading order: the first ${formatCount(Math.ceil(result.capture.textTokens / request.block))} level-1 blocks hold the text, the rest [MASK].`
              : 'Blocks of the random sequence in reading order.'}{' '}
          A level-l block pools B<sup>l</sup> tokens; LLSA chooses among all blocks only at level {request.levels}.
          Click a block to choose another query block.
        </p>
        <div className="lab-maps">
          {maps.map((m) => (
            <LabBlockMap
              key={m.name}
              map={m}
              onPick={(b) => onQuery(Math.min(b * request.block ** (m.level - 1), request.n / request.block - 1))}
            />
          ))}
        </div>
      </section>

      <section className="lab-tome" aria-labelledby="lab-tome-title">
        <h3 id="lab-tome-title" className="subhead">
          Token merging (ToMe)
        </h3>
        <div className="lab-tome-body">
          <LabTomeGrid tome={tome} />
          <div>
            <p className="note">
              tomesd’s bipartite matching: one destination token per{' '}
              {tome.height === 1
                ? `${tome.cellWidth} consecutive tokens (as the models merge text)`
                : `${tome.cellHeight}×${tome.cellWidth} cell`}
              , every other token merges into its most similar destination (cosine of the keys) if it is among the{' '}
              {formatCount(tome.merged)} most similar. Attention then runs over the {formatCount(tome.kept)} merged
              tokens (proportional attention: a merged key counts as many times as it holds tokens), and every token
              takes its group’s output. Each colour is one group; dark tokens kept a slot of their own.
            </p>
            <dl className="step-facts num" aria-label="Token merging">
              <div>
                <dt>{tome.height === 1 ? 'sequence' : 'grid'}</dt>
                <dd>{tome.height === 1 ? formatCount(tome.width) : `${tome.height}×${tome.width}`}</dd>
              </div>
              <div>
                <dt>merged</dt>
                <dd data-field="merged">{formatCount(tome.merged)}</dd>
              </div>
              <div>
                <dt>kept</dt>
                <dd>{formatCount(tome.kept)}</dd>
              </div>
              <div>
                <dt>ms</dt>
                <dd>
                  {formatMs(tome.ms)} vs {formatMs(tome.denseMs)} dense
                </dd>
              </div>
              <div>
                <dt>rel. L2</dt>
                <dd>{formatRel(tome.error.relL2)}</dd>
              </div>
            </dl>
          </div>
        </div>
      </section>
    </>
  );
}
