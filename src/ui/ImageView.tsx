// The Images view: a class-conditional generator draws a 32×32 emoji as an 8×8 grid of residual-VQ
// token stacks (4 depths, coarse to fine), and the view shows every step: the image decoded from the
// tokens so far, the token grid by confidence or by step, a depth slider that decodes the shown step
// with fewer depths, the timeline, an animation of the run, PNG exports, and MaskGIT and
// autoregressive generation side by side on the same class and seed. MaskGIT may run with block top-K
// or LLSA attention, or token merging, and a finished run with either is compared with dense attention.

import { useEffect, useId } from 'react';
import {
  DEFAULT_DEPTHS,
  IMAGE_MODELS,
  imageChooseModel,
  imageFinished,
  imagePause,
  imagePlay,
  imageReset,
  imageRun,
  imageSelectStep,
  imageSetSideBySide,
  imageStep,
  imageStepBack,
  imageStopPlaying,
  imageTimelineLength,
  imageViewOpened,
  otherImageModel,
  samplerOf,
  shownImageModels,
  useStore,
  validateImageForm,
  type GridColouring,
  type ImageForm,
  type ImageModelId,
} from '../store/index.ts';
import { canCompareDense, imagePositions } from '../store/image.ts';
import { AttentionFields } from './image/AttentionFields.tsx';
import { ClassPicker } from './image/ClassPicker.tsx';
import { CompareDense } from './image/CompareDense.tsx';
import { ImagePanel } from './image/ImagePanel.tsx';
import { SettingField } from './SettingField.tsx';
import { StepControls, Timeline } from './Timeline.tsx';
import { confidenceColor } from './tokens.ts';
import { stepColor } from './image/grid.ts';
import './generate.css';
import './image/image.css';

type NumericKey = 'steps' | 'guidance' | 'temperature' | 'choiceTemperature' | 'seed';

const FIELDS: Array<{ key: NumericKey; label: string; hint: string; maskgitOnly?: boolean; numeric?: boolean }> = [
  { key: 'steps', label: 'Steps', hint: 'refinement steps', maskgitOnly: true, numeric: true },
  { key: 'guidance', label: 'Guidance', hint: 'classifier-free, 0 = off' },
  { key: 'temperature', label: 'Temperature', hint: 'of the code distribution' },
  { key: 'choiceTemperature', label: 'Choice temperature', hint: 'noise on which tokens to fix', maskgitOnly: true },
  { key: 'seed', label: 'Seed', hint: 'same seed, same image', numeric: true },
];

export function ImageView() {
  const id = useId();
  const d = useStore((s) => s.image);
  const formChanged = useStore((s) => s.imageFormChanged);
  const setDepth = useStore((s) => s.imageDepth);
  const setColouring = useStore((s) => s.imageColouring);

  useEffect(() => {
    imageViewOpened();
    return imageStopPlaying;
  }, []);

  const models = shownImageModels(d);
  const primary = d.runs[d.form.model];
  const { errors } = validateImageForm(d.form, primary.classes, imagePositions(primary));
  // MaskGIT's attention settings apply to its panel, also when it is the side-by-side one.
  const maskgitRun = d.runs['emoji-maskgit'];
  const maskgitShown = models.includes('emoji-maskgit');
  const maskgitErrors = maskgitShown
    ? validateImageForm({ ...d.form, model: 'emoji-maskgit' }, maskgitRun.classes, imagePositions(maskgitRun)).errors
    : {};
  const valid = Object.keys(errors).length === 0;
  const maskgit = samplerOf(d.form.model) === 'maskgit';
  const started = models.some((m) => d.runs[m].info !== null);
  const total = imageTimelineLength(d);
  const finished = started && imageFinished(d);
  const atEnd = d.selected >= total;
  const depths = Math.max(...models.map((m) => d.runs[m].info?.grid.depths ?? DEFAULT_DEPTHS));
  const depth = Math.min(d.depth, depths);
  const loading = models.some((m) => d.runs[m].status === 'loading');

  const status = !started
    ? d.busy
      ? 'Starting…'
      : loading
        ? 'Loading the generator…'
        : 'Not started'
    : `Step ${d.selected} of ${total}${finished ? ' · run finished' : ''}${d.playing ? ' · playing' : ''}`;

  return (
    <section className="gen image-view" aria-labelledby={`${id}-title`}>
      <header className="gen-head">
        <h2 id={`${id}-title`}>Images from tokens</h2>
        <p className="note">
          A 32×32 emoji is 8×8 grid positions, each a stack of 4 residual-VQ codes from coarse to fine (256 tokens).
          Watch a generator fix them step by step and the tokenizer decode what is fixed so far.
        </p>
      </header>

      <div className="gen-settings">
        <div className="settings-row image-settings-row">
          <div className="setting">
            <label htmlFor={`${id}-model`}>Generator</label>
            <select
              id={`${id}-model`}
              value={d.form.model}
              disabled={d.running}
              onChange={(e) => void imageChooseModel(e.target.value as ImageModelId)}
            >
              {IMAGE_MODELS.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </select>
          </div>
          <ClassPicker
            classes={primary.classes}
            value={d.form.className}
            error={primary.status === 'ready' ? errors.className : undefined}
            onChange={(className) => formChanged({ className })}
          />
        </div>
        <div className="settings-grid">
          {FIELDS.map((f) => {
            const used = maskgit || !f.maskgitOnly;
            return (
              <SettingField
                key={f.key}
                label={f.label}
                hint={used ? f.hint : 'MaskGIT only'}
                value={d.form[f.key]}
                inputMode={f.numeric ? 'numeric' : 'decimal'}
                disabled={!used}
                error={errors[f.key]}
                onChange={(v) => formChanged({ [f.key]: v } as Partial<ImageForm>)}
              />
            );
          })}
        </div>
        {maskgitShown && (
          <AttentionFields
            form={d.form}
            errors={maskgitErrors}
            positions={imagePositions(maskgitRun)}
            disabled={d.running}
            note={maskgit ? null : 'the emoji-maskgit panel; emoji-ar runs dense'}
            onChange={formChanged}
          />
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={d.sideBySide}
            disabled={d.running}
            onChange={(e) => void imageSetSideBySide(e.target.checked)}
          />
          Side by side with {otherImageModel(d.form.model)} (same class and seed; one step of each per Step)
        </label>
        <p className="note settings-note">Settings apply when a run starts (after Reset).</p>
      </div>

      <StepControls
        running={d.running}
        canRun={(valid || started) && !finished && !d.busy}
        canStep={(valid || started) && !d.busy && !(finished && atEnd)}
        canStepBack={d.selected > 0 && !d.busy}
        canReset={started || !!d.error}
        onRun={() => void imageRun()}
        onStep={() => void imageStep()}
        onPause={imagePause}
        onStepBack={imageStepBack}
        onReset={() => void imageReset()}
        status={status}
      />

      {maskgitShown && canCompareDense(maskgitRun) && (
        <CompareDense run={maskgitRun} compare={d.denseCompare} disabled={d.busy || d.running} />
      )}

      <Timeline value={d.selected} max={total} disabled={d.running} onChange={imageSelectStep} zeroLabel="all masked" />

      <div className="image-display" role="group" aria-label="Display">
        <button
          type="button"
          onClick={d.playing ? imageStopPlaying : imagePlay}
          disabled={total === 0 || d.running || d.busy}
          aria-pressed={d.playing}
        >
          {d.playing ? 'Stop animation' : 'Play animation'}
        </button>
        <div className="depth-slider">
          <label htmlFor={`${id}-depth`}>Depths</label>
          <input
            id={`${id}-depth`}
            type="range"
            min={1}
            max={depths}
            step={1}
            value={depth}
            aria-valuetext={`decode with the first ${depth} of ${depths} depths`}
            onChange={(e) => setDepth(Number(e.target.value))}
          />
          <span className="num" data-field="depth">
            {depth} / {depths}
          </span>
        </div>
        <fieldset className="colouring">
          <legend>Grid colour</legend>
          {(['confidence', 'step'] as GridColouring[]).map((c) => (
            <label key={c} className="check">
              <input
                type="radio"
                name={`${id}-colouring`}
                value={c}
                checked={d.colouring === c}
                onChange={() => setColouring(c)}
              />
              {c === 'confidence' ? 'confidence' : 'step fixed'}
            </label>
          ))}
        </fieldset>
        <ColourLegend colouring={d.colouring} />
      </div>

      {d.error && (
        <div className="error-box" role="alert">
          <p className="error-title">The run stopped</p>
          <p className="mono">{d.error.message}</p>
          {d.error.hint && <p>{d.error.hint}</p>}
        </div>
      )}

      {models.some((m) => (d.runs[m].info?.notices.length ?? 0) > 0) && (
        <ul className="notices" aria-label="Notices">
          {models.flatMap((m) =>
            (d.runs[m].info?.notices ?? []).map((n) => (
              <li key={`${m}:${n}`} className="notice">
                {m}: {n}
              </li>
            )),
          )}
        </ul>
      )}

      <div className={`image-panels${models.length > 1 ? ' is-pair' : ''}`}>
        {models.map((m) => (
          <ImagePanel
            key={m}
            run={d.runs[m]}
            k={d.selected}
            depth={depth}
            colouring={d.colouring}
            decoded={d.decoded}
            running={d.running}
          />
        ))}
      </div>
      {models.length > 1 && (
        <p className="note">
          The timeline counts steps: at step k each generator has run k model evaluations. MaskGIT ends after its steps;
          the autoregressive model needs one step per grid position.
        </p>
      )}
    </section>
  );
}

function ColourLegend({ colouring }: { colouring: GridColouring }) {
  const stops = colouring === 'confidence' ? [0.001, 0.01, 0.1, 1] : [1, 2, 3, 4, 5];
  return (
    <div className="grid-legend note colour-legend" aria-hidden="true">
      {colouring === 'confidence' ? 'unsure' : 'first step'}
      <span className="legend-ramp">
        {stops.map((s) => (
          <span
            key={s}
            className="legend-stop"
            style={{ background: colouring === 'confidence' ? confidenceColor(s, 48) : stepColor(s, stops.length) }}
          />
        ))}
      </span>
      {colouring === 'confidence' ? 'sure (log)' : 'last step'}
      <span className="legend-item">
        <span className="swatch swatch-masked-token" /> masked
      </span>
      <span className="legend-item">
        <span className="swatch swatch-new-token" /> fixed at this step
      </span>
    </div>
  );
}
