// Token merging drawn over the token grid: every token a cell, coloured by the group it merged into
// (all tokens of one merged slot share a colour; a token that merged with nothing stays dark), with a
// line between neighbours of different groups when the cells are large enough to show it. A text
// sequence (a grid one token high) is wrapped into rows in reading order, each row a whole number of
// merge cells, so that a cell never breaks across rows.

import { useEffect, useMemo, useRef } from 'react';
import type { AttentionLabTome } from '../../engine/api.ts';

const ALONE = '#2a303b'; // --border: a token that kept its slot to itself
const EDGE = '#0e1014'; // --bg

/** A colour per slot: hues a golden angle apart, so neighbouring slot numbers differ clearly. */
function groupColour(slot: number): string {
  const hue = (slot * 137.508) % 360;
  const light = 42 + ((slot * 7) % 3) * 8;
  return `hsl(${hue.toFixed(1)} 60% ${light}%)`;
}

/** Columns and rows drawn: the grid itself, or a sequence wrapped about square. */
function shape(tome: AttentionLabTome): { cols: number; rows: number } {
  if (tome.height > 1) return { cols: tome.width, rows: tome.height };
  const cols = Math.min(tome.width, tome.cellWidth * Math.ceil(Math.sqrt(tome.width) / tome.cellWidth));
  return { cols, rows: Math.ceil(tome.width / cols) };
}

export function LabTomeGrid({ tome, width = 320 }: { tome: AttentionLabTome; width?: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { cols, rows } = shape(tome);
  const height = Math.round((width * rows) / cols);
  const sizes = useMemo(() => {
    const count = new Int32Array(tome.kept);
    for (const slot of tome.assign) count[slot]++;
    return count;
  }, [tome]);
  const groups = useMemo(() => sizes.reduce((n, s) => n + (s > 1 ? 1 : 0), 0), [sizes]);

  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const { assign } = tome;
    const [w, h] = [cols, rows];
    const cw = width / w;
    const ch = height / h;
    for (let t = 0; t < assign.length; t++) {
      const slot = assign[t];
      ctx.fillStyle = sizes[slot] > 1 ? groupColour(slot) : ALONE;
      // Half a pixel of overlap hides the seams between cells of the same group.
      ctx.fillRect((t % w) * cw, Math.floor(t / w) * ch, cw + 0.5, ch + 0.5);
    }
    if (Math.min(cw, ch) < 6) return;
    ctx.strokeStyle = EDGE;
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w && y * w + x < assign.length; x++) {
        const slot = assign[y * w + x];
        if (x + 1 < w && y * w + x + 1 < assign.length && assign[y * w + x + 1] !== slot) {
          ctx.moveTo((x + 1) * cw, y * ch);
          ctx.lineTo((x + 1) * cw, (y + 1) * ch);
        }
        if ((y + 1) * w + x < assign.length && assign[(y + 1) * w + x] !== slot) {
          ctx.moveTo(x * cw, (y + 1) * ch);
          ctx.lineTo((x + 1) * cw, (y + 1) * ch);
        }
      }
    }
    ctx.stroke();
  }, [tome, sizes, width, height, cols, rows]);

  return (
    <figure className="lab-tome-grid" data-groups={groups} data-kept={tome.kept} data-merged={tome.merged}>
      <canvas
        ref={ref}
        role="img"
        aria-label={`Merged groups over the ${tome.height > 1 ? `${tome.height}×${tome.width} token grid` : `${tome.width} tokens of the sequence, in rows of ${cols}`}: ${tome.merged} tokens merged into ${groups} groups`}
        style={{ width, height }}
      />
    </figure>
  );
}
