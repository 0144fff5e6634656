// The autoregressive text step view: prompt and sampling settings, Run / Step / Pause / Step back /
// Reset, the generated text as one span per token (hover or focus: its probability and the entropy of
// that step), the top-10 candidates of the selected step, a timeline over the kept snapshots, an
// entropy chart, and branches: regenerate from any step with another seed or other settings.

import { useId, useState } from 'react';
import type { TextStep } from '../engine/api.ts';
import {
  activeBranch,
  textBranch,
  textPause,
  textReset,
  textRun,
  textSelectStep,
  textShowBranch,
  textStep,
  textStepBack,
  useStore,
  validateTextForm,
  type TextBranch,
  type TextForm,
} from '../store/index.ts';
import { BarChart } from './charts/BarChart.tsx';
import { formatMs } from './format.ts';
import { SettingField } from './SettingField.tsx';
import { StepControls, Timeline } from './Timeline.tsx';
import { formatProb, visiblePiece } from './tokens.ts';
import './generate.css';

const FIELDS: Array<{ key: Exclude<keyof TextForm, 'prompt'>; label: string; hint: string; numeric?: boolean }> = [
  { key: 'maxTokens', label: 'Max tokens', hint: 'tokens to generate', numeric: true },
  { key: 'temperature', label: 'Temperature', hint: '0 = greedy' },
  { key: 'topK', label: 'Top-k', hint: '≥ 1; 4096 = no limit', numeric: true },
  { key: 'topP', label: 'Top-p', hint: '1 = no limit' },
  { key: 'repetitionPenalty', label: 'Repetition penalty', hint: '1 = off' },
  { key: 'seed', label: 'Seed', hint: 'same seed, same text', numeric: true },
];

export function TextView({ modelName }: { modelName: string }) {
  const id = useId();
  const text = useStore((s) => s.text);
  const formChanged = useStore((s) => s.textFormChanged);
  const { errors } = validateTextForm(text.form);
  const valid = Object.keys(errors).length === 0;
  const branch = activeBranch(text);
  const steps = branch?.steps ?? [];
  const selected = text.selected;
  const step = selected > 0 ? steps[selected - 1] : null;
  const last = steps.at(-1);
  const atEnd = selected >= steps.length;
  const finished = branch?.done ?? false;
  const notices = text.info?.notices ?? [];

  const status = !branch
    ? text.busy
      ? 'Starting…'
      : 'Not started'
    : `Step ${selected} of ${steps.length}${finished ? ` · finished (${last?.stop === 'eos' ? 'end of text' : 'token limit'})` : ''}${
        step ? ` · ${formatMs(step.ms)} ms` : ''
      }`;

  return (
    <section className="gen text-view" aria-labelledby={`${id}-title`}>
      <header className="gen-head">
        <h2 id={`${id}-title`}>Autoregressive text</h2>
        <p className="note">
          <span className="mono">{modelName}</span> writes one token per step. Each step shows the token it chose and
          the ten it weighed most; move the timeline to go back, and branch from any step with another seed.
        </p>
      </header>

      <div className="gen-settings">
        <div className="setting setting-prompt">
          <label htmlFor={`${id}-prompt`}>Prompt</label>
          <textarea
            id={`${id}-prompt`}
            rows={3}
            value={text.form.prompt}
            spellCheck={false}
            onChange={(e) => formChanged({ prompt: e.target.value })}
            aria-describedby={`${id}-prompt-note`}
          />
          <span id={`${id}-prompt-note`} className="setting-hint">
            {text.form.prompt.trim() === ''
              ? 'Empty prompt: generation starts from the end-of-text token.'
              : branch && text.form.prompt !== branch.settings.prompt
                ? 'Branches keep the prompt of the run; press Reset to start from this prompt.'
                : 'Long prompts are cut from the left to fit the context; the notice says so.'}
          </span>
        </div>
        <div className="settings-grid">
          {FIELDS.map((f) => (
            <SettingField
              key={f.key}
              label={f.label}
              hint={f.hint}
              value={text.form[f.key]}
              inputMode={f.numeric ? 'numeric' : 'decimal'}
              error={errors[f.key]}
              onChange={(v) => formChanged({ [f.key]: v })}
            />
          ))}
        </div>
        <p className="note settings-note">Settings apply when a run starts (after Reset) and to new branches.</p>
      </div>

      <StepControls
        running={text.running}
        canRun={(valid || !!branch) && !finished && !text.busy}
        canStep={(valid || !!branch) && !text.busy && !(finished && atEnd)}
        canStepBack={selected > 0 && !text.busy}
        canReset={!!branch || !!text.error}
        onRun={() => void textRun()}
        onStep={() => void textStep()}
        onPause={textPause}
        onStepBack={textStepBack}
        onReset={() => void textReset()}
        status={status}
      />

      <Timeline
        value={selected}
        max={steps.length}
        disabled={text.running}
        onChange={textSelectStep}
        marks={branch && branch.atStep > 0 ? [branch.atStep] : []}
        zeroLabel="prompt"
      />

      {notices.length > 0 && (
        <ul className="notices" aria-label="Notices">
          {notices.map((n) => (
            <li key={n} className="notice">
              {n}
            </li>
          ))}
        </ul>
      )}

      {text.error && (
        <div className="error-box" role="alert">
          <p className="error-title">The run stopped</p>
          <p className="mono">{text.error.message}</p>
          {text.error.hint && <p>{text.error.hint}</p>}
        </div>
      )}

      <div className="gen-main">
        <div className="gen-col">
          <GeneratedText branch={branch} branches={text.branches} selected={selected} />
          <BarChart
            title="Entropy per step"
            values={steps.map((s) => s.entropy)}
            selected={selected > 0 ? selected - 1 : null}
            onSelect={text.running ? undefined : (i) => textSelectStep(i + 1)}
            unit="nats"
            xTitle="step"
            width={440}
            height={150}
            tooltip={(i, v) => `step ${i + 1}: ${v.toFixed(2)} nats · “${visiblePiece(steps[i].piece)}”`}
            emptyText="The entropy of the model’s distribution at each step appears here."
          />
        </div>
        <Candidates step={step} />
      </div>

      <Branches />
    </section>
  );
}

/** Which branch produced step `k` (1-based) of `b`: its own, or an ancestor's for inherited steps. */
function originOf(b: TextBranch, k: number, all: TextBranch[]): number {
  let cur: TextBranch | undefined = b;
  while (cur && k <= cur.atStep && cur.parent !== null) cur = all.find((x) => x.id === cur!.parent);
  return cur?.id ?? b.id;
}

function GeneratedText({
  branch,
  branches,
  selected,
}: {
  branch: TextBranch | null;
  branches: TextBranch[];
  selected: number;
}) {
  const info = useStore((s) => s.text.info);
  const [shown, setShown] = useState<number | null>(null);
  const tipId = useId();
  const steps = branch?.steps ?? [];
  return (
    <div className="gen-text-box">
      <h3 className="subhead">Text</h3>
      <p className="gen-text" aria-label="Generated text" data-selected={selected}>
        {info?.promptPieces.map((piece, i) => (
          <span key={`p${i}`} className="tok tok-prompt">
            {piece}
          </span>
        ))}
        {steps.map((s) => (
          <TokenSpan
            key={s.step}
            s={s}
            origin={branch ? originOf(branch, s.step, branches) : 0}
            future={s.step > selected}
            current={s.step === selected}
            showTip={shown === s.step}
            tipId={tipId}
            onShow={(on) => setShown((cur) => (on ? s.step : cur === s.step ? null : cur))}
          />
        ))}
        {!info && <span className="note">Press Step or Run to generate.</span>}
      </p>
      <p className="note text-legend">
        Hover or focus a token for its probability and the step’s entropy; click it to move the timeline there.
        {branch && branch.atStep > 0 && <> Tokens after step {branch.atStep} belong to this branch.</>}
      </p>
    </div>
  );
}

interface TokenSpanProps {
  s: TextStep;
  origin: number;
  future: boolean;
  current: boolean;
  showTip: boolean;
  tipId: string;
  onShow(on: boolean): void;
}

function TokenSpan({ s, origin, future, current, showTip, tipId, onShow }: TokenSpanProps) {
  // The tooltip opens towards the side of the text box with room for it.
  const [toLeft, setToLeft] = useState(false);
  const show = (e: { currentTarget: HTMLElement }) => {
    const box = e.currentTarget.closest('.gen-text')?.getBoundingClientRect();
    const at = e.currentTarget.getBoundingClientRect();
    setToLeft(!!box && at.left - box.left > box.width / 2);
    onShow(true);
  };
  const cls = `tok tok-gen${future ? ' is-future' : ''}${current ? ' is-current' : ''}`;
  return (
    <span
      className={cls}
      tabIndex={0}
      data-step={s.step}
      data-token={s.token}
      data-branch={origin}
      data-p={s.p.toFixed(6)}
      aria-describedby={showTip ? tipId : undefined}
      onMouseEnter={show}
      onMouseLeave={() => onShow(false)}
      onFocus={show}
      onBlur={() => onShow(false)}
      onClick={() => textSelectStep(s.step)}
    >
      {s.piece}
      {showTip && (
        <span id={tipId} role="tooltip" className={`tok-tip${toLeft ? ' to-left' : ''}`}>
          <span className="mono">“{visiblePiece(s.piece)}”</span> · step {s.step}
          <br />p {formatProb(s.p)} · entropy {s.entropy.toFixed(2)} nats
        </span>
      )}
    </span>
  );
}

function Candidates({ step }: { step: TextStep | null }) {
  if (!step) {
    return (
      <div className="candidates">
        <h3 className="subhead">Candidates</h3>
        <p className="note">The ten most likely next tokens of the selected step appear here.</p>
      </div>
    );
  }
  const top = step.top[0]?.p ?? 1;
  const chosenInTop = step.top.some((c) => c.token === step.token);
  return (
    <div className="candidates" data-step={step.step}>
      <h3 className="subhead">
        Step {step.step}: chose <span className="mono chosen-piece">“{visiblePiece(step.piece)}”</span>
      </h3>
      <p className="note candidates-meta num">
        p {formatProb(step.p)} · entropy {step.entropy.toFixed(2)} nats · {formatMs(step.ms)} ms
      </p>
      <ol className="cand-list" aria-label={`Top candidates at step ${step.step}`}>
        {step.top.map((c) => (
          <li
            key={c.token}
            className={`cand${c.token === step.token ? ' is-chosen' : ''}`}
            data-token={c.token}
            aria-current={c.token === step.token ? 'true' : undefined}
          >
            <span className="cand-piece mono" title={`token ${c.token}`}>
              {visiblePiece(c.piece)}
            </span>
            <span className="cand-track" aria-hidden="true">
              <span className="cand-fill" style={{ width: `${(100 * c.p) / top}%` }} />
            </span>
            <span className="cand-p num">{formatProb(c.p)}</span>
          </li>
        ))}
      </ol>
      {!chosenInTop && <p className="note">The sampled token was outside the top ten (p {formatProb(step.p)}).</p>}
    </div>
  );
}

function Branches() {
  const text = useStore((s) => s.text);
  const branch = activeBranch(text);
  const canBranch = !!branch && !text.busy && !text.running;
  const seed = text.form.seed;
  return (
    <section className="branches" aria-label="Branches">
      <div className="branches-head">
        <h3 className="subhead">Branches</h3>
        <button type="button" onClick={() => void textBranch()} disabled={!canBranch}>
          Branch
        </button>
        <span className="note">
          {branch
            ? `From step ${text.selected} with the settings above (seed ${seed.trim() || '—'}): the text up to step ${text.selected} stays, later steps are generated again.`
            : 'Generate a few steps, move the timeline, then branch from there with another seed or other settings.'}
        </span>
      </div>
      {text.branches.length > 0 && (
        <ol className="branch-list">
          {text.branches.map((b) => (
            <li key={b.id}>
              <button
                type="button"
                className={`branch-item${b.id === text.active ? ' is-active' : ''}`}
                aria-pressed={b.id === text.active}
                disabled={text.busy || text.running}
                onClick={() => textShowBranch(b.id)}
                data-branch={b.id}
              >
                <span className="branch-name">{b.parent === null ? 'Run 1' : `Branch ${b.id}`}</span>
                <span className="branch-meta">
                  {b.parent === null
                    ? 'from the prompt'
                    : `from step ${b.atStep} of ${b.parent === 1 ? 'run 1' : `branch ${b.parent}`}`}{' '}
                  · seed {b.settings.seed} · T {b.settings.temperature} · top-k {b.settings.topK} · top-p{' '}
                  {b.settings.topP} · {b.steps.length} steps{b.done ? ' · done' : ''}
                </span>
                <span className="branch-preview">
                  {b.steps
                    .slice(b.atStep)
                    .map((s) => s.piece)
                    .join('')
                    .slice(0, 80) || '…'}
                </span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
