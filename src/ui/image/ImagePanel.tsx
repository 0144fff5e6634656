// One generator's panel in the Images view: the image decoded from its tokens at the shown step
// (scaled up crisply; positions whose coarsest code is still masked hatched), its token grid, the
// step's facts and kernel timings, tokens fixed per step, and the PNG exports (the shown image at 8×,
// and a contact sheet of every step). A MaskGIT run names the attention it ran with.

import { useEffect, useMemo, useRef, useState } from 'react';
import type { DecodedImage, ImageGrid } from '../../engine/api.ts';
import {
  decodeKey,
  DEFAULT_DEPTHS,
  imageEnsureDecoded,
  imageSelectStep,
  runStepAt,
  type GridColouring,
  type ImageRun,
} from '../../store/index.ts';
import { describeImageAttention } from '../../store/image.ts';
import { BarChart } from '../charts/BarChart.tsx';
import { formatMs } from '../format.ts';
import { StepTimings } from '../StepTimings.tsx';
import { downloadPng, drawImageWithMask, fileSafe, renderContactSheet } from './canvas.ts';
import { coarseMasked, fixedTokens } from './grid.ts';
import { TokenGrid } from './TokenGrid.tsx';

/** The shipped tokenizer's grid: what an empty panel draws before a run reports its own. */
const DEFAULT_GRID: ImageGrid = { height: 8, width: 8, depths: DEFAULT_DEPTHS, codebookSize: 256 };
const VIEW_SIZE = 256; // canvas pixels: the 32-pixel image at 8×

const SAMPLER_NOTE: Record<ImageRun['model'], string> = {
  'emoji-maskgit': 'MaskGIT: every step fixes the tokens it is most sure of, anywhere in the grid',
  'emoji-ar': 'autoregressive: one grid position (its 4 depths) per step, in raster order',
};

interface Props {
  run: ImageRun;
  k: number; // timeline step
  depth: number;
  colouring: GridColouring;
  decoded: Record<string, DecodedImage>;
  running: boolean;
}

export function ImagePanel({ run, k, depth, colouring, decoded, running }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const info = run.info;
  const grid = info?.grid ?? DEFAULT_GRID;
  const mask = info?.maskTokenId ?? grid.codebookSize;
  const step = runStepAt(run, k);
  const stepNo = step?.step ?? 0;
  const shownDepth = Math.min(depth, grid.depths);
  const fewer = step !== null && shownDepth < step.image.depths;
  const exact =
    step && info ? (fewer ? (decoded[decodeKey(info.id, step.step, shownDepth)] ?? null) : step.image) : null;
  // While the image with fewer depths is being decoded, the step's own image stands in.
  const image = exact ?? step?.image ?? null;
  const length = grid.height * grid.width * grid.depths;
  const steps = run.steps;
  const fixed = useMemo(() => fixedTokens(steps, stepNo, length), [steps, stepNo, length]);
  const masked = useMemo(() => (step ? coarseMasked(step.tokens, grid, mask) : null), [step, grid, mask]);
  const maskedLeft = masked ? masked.filter(Boolean).length : grid.height * grid.width;
  const fixedNow = step ? step.unmasked.length : 0;

  useEffect(() => {
    if (fewer) void imageEnsureDecoded(run.model, k, shownDepth);
  }, [fewer, run.model, k, shownDepth]);

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (ctx) drawImageWithMask(ctx, image, grid, masked);
  }, [image, grid, masked]);

  const name = run.model;
  const className = info?.settings.className ?? '';
  const fileBase = `${fileSafe(name)}-${fileSafe(className)}-seed${info?.settings.seed ?? 0}`;

  const exportImage = async () => {
    if (!canvas.current) return;
    setExportError(null);
    try {
      await downloadPng(canvas.current, `${fileBase}-step${stepNo}-depth${image?.depths ?? shownDepth}.png`);
    } catch (e) {
      setExportError((e as Error).message);
    }
  };

  const exportSheet = async () => {
    if (!info || steps.length === 0) return;
    setExportError(null);
    try {
      const frames = steps.map((s) => ({ step: s.step, image: s.image, masked: coarseMasked(s.tokens, grid, mask) }));
      const g = info.settings.guidance;
      const title = `${name} · ${className} · seed ${info.settings.seed} · guidance ${g} · ${steps.length} steps · all ${grid.depths} depths`;
      await downloadPng(renderContactSheet(frames, grid, title), `${fileBase}-contact-sheet.png`);
    } catch (e) {
      setExportError((e as Error).message);
    }
  };

  return (
    <section className="image-panel" aria-label={`${name} panel`} data-model={name}>
      <header className="image-panel-head">
        <h3 className="subhead">
          <span className="mono">{name}</span>
          {info && (
            <span className="image-panel-step num" data-field="panel-step">
              {' '}
              · step {stepNo} of {info.totalSteps}
              {run.done && stepNo === steps.length ? ' · done' : ''}
            </span>
          )}
        </h3>
        <p className="note">{SAMPLER_NOTE[run.model]}</p>
        {info?.sampler === 'maskgit' && (
          <p className="note" data-field="attention">
            Attention: <span className="mono">{describeImageAttention(info.settings)}</span>
          </p>
        )}
      </header>

      {run.status === 'loading' && (
        <p className="note" role="status">
          Loading {name}…{run.progress !== null ? ` ${Math.floor(100 * run.progress)} %` : ''}
        </p>
      )}
      {run.error && (
        <div className="error-box" role="alert">
          <p className="error-title">{run.status === 'error' ? `${name} could not be loaded` : `${name} stopped`}</p>
          <p className="mono">{run.error.message}</p>
          {run.error.hint && <p>{run.error.hint}</p>}
        </div>
      )}

      <div className="image-pair">
        <figure className="image-figure">
          <canvas
            ref={canvas}
            className="image-canvas"
            width={VIEW_SIZE}
            height={VIEW_SIZE}
            role="img"
            aria-label={`${name} image at step ${stepNo}`}
            data-step={stepNo}
            data-depth={image ? image.depths : 0}
            data-pending={fewer && !exact ? 'true' : undefined}
          />
          <figcaption className="note">
            {!step
              ? 'All masked: hatched cells have no code yet.'
              : `Decoded with ${image?.depths ?? shownDepth} of ${grid.depths} depths${fewer && !exact ? ' (decoding…)' : ''}; hatched: depth 0 still masked.`}
          </figcaption>
        </figure>
        <figure className="image-figure">
          <TokenGrid
            grid={grid}
            tokens={step?.tokens ?? null}
            maskId={mask}
            fixed={fixed}
            step={stepNo}
            totalSteps={info?.totalSteps ?? 1}
            colouring={colouring}
            depth={shownDepth}
            label={`${name} token grid at step ${stepNo}`}
          />
          <figcaption className="note">
            {grid.height}×{grid.width} positions × {grid.depths} depths (sub-cells: coarsest top left).
          </figcaption>
        </figure>
      </div>

      <dl className="step-facts num" aria-label={`${name} at the shown step`}>
        <div>
          <dt>fixed now</dt>
          <dd data-field="fixed-now">{fixedNow}</dd>
        </div>
        <div>
          <dt>tokens fixed</dt>
          <dd data-field="fixed-total">
            {step ? step.tokens.length - countMasked(step.tokens, mask) : 0} / {length}
          </dd>
        </div>
        <div>
          <dt>positions masked</dt>
          <dd data-field="positions-masked">{maskedLeft}</dd>
        </div>
        <div>
          <dt>forwards</dt>
          <dd>{step ? step.forwards : '—'}</dd>
        </div>
        <div>
          <dt>step</dt>
          <dd>{step ? `${formatMs(step.ms)} ms` : '—'}</dd>
        </div>
        <div>
          <dt>decode</dt>
          <dd>{step ? `${formatMs(step.decodeMs)} ms` : '—'}</dd>
        </div>
      </dl>

      <div className="image-exports">
        <button type="button" onClick={() => void exportImage()} disabled={!step}>
          Export PNG
        </button>
        <button type="button" onClick={() => void exportSheet()} disabled={steps.length === 0 || running}>
          Contact sheet PNG
        </button>
        {exportError && (
          <span className="setting-error" role="alert">
            {exportError}
          </span>
        )}
      </div>

      <BarChart
        title={`${name}: tokens fixed per step`}
        values={steps.map((s) => s.unmasked.length)}
        selected={stepNo > 0 ? stepNo - 1 : null}
        onSelect={running ? undefined : (i) => imageSelectStep(i + 1)}
        xTitle="step"
        tooltip={(i, v) => `step ${i + 1}: ${v} tokens · ${formatMs(steps[i].ms)} ms`}
        emptyText="How many tokens each step fixes appears here."
        width={420}
        height={120}
      />

      {step && (
        <details className="more">
          <summary>Kernel times of step {stepNo}</summary>
          <StepTimings step={{ label: `Step ${stepNo} · ${name}`, ms: step.ms, timings: step.timings }} />
        </details>
      )}
    </section>
  );
}

function countMasked(tokens: ArrayLike<number>, mask: number): number {
  let n = 0;
  for (let i = 0; i < tokens.length; i++) if (tokens[i] === mask) n++;
  return n;
}
