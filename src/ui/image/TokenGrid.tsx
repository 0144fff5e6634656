// The token grid of one run at the shown step: a cell per grid position, split into a sub-cell per
// RVQ depth (coarsest top left). A fixed token is coloured by the model's probability for it when it
// was fixed, or by the step that fixed it; a masked one is dark; the tokens of the shown step are
// outlined; depths beyond the depth slider are faded (the image above is decoded without them).
// Hovering a position shows its codes in a tooltip.

import type { ImageGrid } from '../../engine/api.ts';
import type { GridColouring } from '../../store/index.ts';
import { confidenceColor, formatProb } from '../tokens.ts';
import { subCell, stepColor, type FixedTokens } from './grid.ts';

const CELL = 32;
const GAP = 1; // between the sub-cells of a position
const MARGIN = 3; // inside a position's edge

interface Props {
  grid: ImageGrid;
  tokens: ArrayLike<number> | null; // null before the first step: every token masked
  maskId: number;
  fixed: FixedTokens;
  step: number; // the run's step shown (0 = none): its tokens are outlined
  totalSteps: number; // of the run, for the step colouring
  colouring: GridColouring;
  depth: number; // depths the image is decoded with
  label: string; // accessible name
}

export function TokenGrid({ grid, tokens, maskId, fixed, step, totalSteps, colouring, depth, label }: Props) {
  const W = grid.width * CELL;
  const H = grid.height * CELL;
  const positions = grid.width * grid.height;
  let fixedCount = 0;
  for (let i = 0; i < fixed.fixedAt.length; i++) if (fixed.fixedAt[i] > 0) fixedCount++;
  return (
    <svg
      className="token-grid-svg"
      viewBox={`0 0 ${W} ${H}`}
      width={W}
      height={H}
      role="img"
      aria-label={`${label}: ${fixedCount} of ${positions * grid.depths} tokens fixed`}
      data-fixed={fixedCount}
      data-step={step}
    >
      {Array.from({ length: positions }, (_, p) => {
        const x = (p % grid.width) * CELL;
        const y = Math.floor(p / grid.width) * CELL;
        const lines: string[] = [];
        const subs = Array.from({ length: grid.depths }, (_, d) => {
          const i = p * grid.depths + d;
          const code = tokens ? tokens[i] : maskId;
          const at = fixed.fixedAt[i];
          const c = fixed.confidence[i];
          const masked = code === maskId || at === 0;
          lines.push(
            masked
              ? `depth ${d}: masked`
              : `depth ${d}: code ${code}, step ${at}${Number.isNaN(c) ? '' : `, p ${formatProb(c)}`}`,
          );
          const fill = masked
            ? undefined
            : colouring === 'step'
              ? stepColor(at, totalSteps)
              : Number.isNaN(c)
                ? 'var(--text-faint)'
                : confidenceColor(c, 48);
          const r = subCell(d, grid.depths, CELL, GAP, MARGIN);
          const classes = [
            'sub',
            masked ? 'is-masked' : '',
            at === step && step > 0 ? 'is-new' : '',
            d >= depth ? 'is-beyond' : '',
          ]
            .filter(Boolean)
            .join(' ');
          return (
            <rect
              key={d}
              x={x + r.x}
              y={y + r.y}
              width={r.size}
              height={r.size}
              rx={2}
              className={classes}
              fill={fill}
            />
          );
        });
        return (
          <g key={p} className="pos" data-pos={p}>
            <title>{`(${p % grid.width}, ${Math.floor(p / grid.width)}) · ${lines.join(' · ')}`}</title>
            <rect x={x + 0.5} y={y + 0.5} width={CELL - 1} height={CELL - 1} className="pos-frame" />
            {subs}
          </g>
        );
      })}
    </svg>
  );
}
