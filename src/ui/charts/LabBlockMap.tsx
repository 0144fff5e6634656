// One level of the attention lab's selected-block map, drawn on a canvas (a level can hold thousands
// of blocks): every block of the level in its cell — on the token grid, the patch it pools — coloured
// by what the chosen query block did with it: kept (exact attention over its tokens at this level),
// considered but not kept (a candidate: a child of the parent level's picks), or neither. The query
// block's own cell is outlined. A click picks a block as the new query block; hovering names it.
// The figure carries the shown state as data-* attributes (query, kept blocks) for tests.

import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { LabLevelMap } from '../../store/index.ts';

// The theme's colours (styles.css): a canvas cannot read CSS variables per cell.
const COLOURS = {
  other: '#232833', // --surface-3
  candidate: '#2d4d6b',
  selected: '#4ea8f0', // --accent-strong
  query: '#f5c25b', // --warn
};

interface Props {
  map: LabLevelMap;
  width?: number; // CSS pixels across; the height follows the grid's proportions
  onPick?: (block: number) => void;
}

export type BlockState = 'selected' | 'candidate' | 'other';

export function LabBlockMap({ map, width = 240, onPick }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const { layout } = map;
  const height = Math.round((width * layout.rows * layout.cellHeight) / (layout.cols * layout.cellWidth));
  const rank = useMemo(() => new Map(map.selected.map((b, i) => [b, i])), [map.selected]);
  const candidates = useMemo(() => (map.candidates ? new Set(map.candidates) : null), [map.candidates]);
  const blockAt = useMemo(() => {
    const inverse = new Int32Array(layout.rows * layout.cols).fill(-1);
    layout.cell.forEach((c, b) => (inverse[c] = b));
    return inverse;
  }, [layout]);
  const state = (b: number): BlockState =>
    rank.has(b) ? 'selected' : candidates && candidates.has(b) ? 'candidate' : 'other';

  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const cw = width / layout.cols;
    const ch = height / layout.rows;
    const gap = Math.min(cw, ch) >= 5 ? 1 : 0; // separate cells only when they are big enough to see it
    for (let b = 0; b < layout.cell.length; b++) {
      const s = rank.has(b) ? 'selected' : candidates && candidates.has(b) ? 'candidate' : 'other';
      const c = layout.cell[b];
      ctx.fillStyle = COLOURS[s];
      ctx.fillRect((c % layout.cols) * cw, Math.floor(c / layout.cols) * ch, cw - gap, ch - gap);
    }
    const q = layout.cell[map.query];
    const line = Math.max(2, Math.min(3, Math.min(cw, ch) / 4));
    ctx.strokeStyle = COLOURS.query;
    ctx.lineWidth = line;
    ctx.strokeRect(
      (q % layout.cols) * cw + line / 2,
      Math.floor(q / layout.cols) * ch + line / 2,
      Math.max(cw - gap - line, 1),
      Math.max(ch - gap - line, 1),
    );
  }, [layout, map.query, rank, candidates, width, height]);

  const blockFromEvent = (e: MouseEvent<HTMLCanvasElement>): number => {
    const rect = e.currentTarget.getBoundingClientRect();
    const col = Math.floor(((e.clientX - rect.left) / rect.width) * layout.cols);
    const row = Math.floor(((e.clientY - rect.top) / rect.height) * layout.rows);
    if (col < 0 || col >= layout.cols || row < 0 || row >= layout.rows) return -1;
    return blockAt[row * layout.cols + col];
  };

  const describe = (b: number) => {
    const first = b * map.blockTokens;
    const what = rank.has(b)
      ? `kept, #${rank.get(b)! + 1}`
      : state(b) === 'candidate'
        ? 'considered, not kept'
        : 'not considered here';
    return `block ${b} (tokens ${first}–${first + map.blockTokens - 1})${b === map.query ? ', the query block' : ''}: ${what}`;
  };

  const label = `${map.name}: ${map.blocks} blocks of ${map.blockTokens} tokens; query block ${map.query} kept ${map.selected.join(', ')}`;
  return (
    <figure
      className="lab-map"
      data-level={map.level}
      data-query={map.query}
      data-selected={map.selected.join(',')}
      data-candidates={map.candidates ? map.candidates.length : map.blocks}
    >
      <figcaption className="chart-title">
        {map.name}
        <span className="lab-map-meta">
          {map.blocks} × {map.blockTokens} tokens · {map.candidates ? `${map.candidates.length} considered · ` : ''}
          {map.selected.length} kept
        </span>
      </figcaption>
      <canvas
        ref={ref}
        role="img"
        aria-label={label}
        className={onPick ? 'is-clickable' : undefined}
        style={{ width, height }}
        title={hover !== null && hover >= 0 ? describe(hover) : undefined}
        onMouseMove={(e) => setHover(blockFromEvent(e))}
        onMouseLeave={() => setHover(null)}
        onClick={
          onPick
            ? (e) => {
                const b = blockFromEvent(e);
                if (b >= 0) onPick(b);
              }
            : undefined
        }
      />
      <p className="lab-picks mono" title="the kept blocks, best first">
        kept: {map.selected.join(', ')}
      </p>
    </figure>
  );
}
