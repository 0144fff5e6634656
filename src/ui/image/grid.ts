// What the Images view derives from a run's snapshots for its token grid and its image overlay: when
// each token was fixed and how sure the model was, how many depths each grid position holds, the
// colours of both grid colourings, and where each depth's sub-cell sits inside a position's cell.
// Token layout (api.ts ImageGrid): sequence index = (y · width + x) · depths + depth, depth 0 coarsest.

import type { ImageGrid, ImageStepView } from '../../engine/api.ts';

export interface FixedTokens {
  fixedAt: Int32Array; // [P·D] the step that fixed each token; 0 = still masked
  confidence: Float32Array; // [P·D] the token's probability when it was fixed; NaN while masked
}

/** When each token was fixed, and with what probability, over the first `upTo` steps. Steps only
 *  report the tokens they fixed (confidence is NaN elsewhere), so this accumulates them. */
export function fixedTokens(
  steps: ReadonlyArray<Pick<ImageStepView, 'step' | 'unmasked' | 'confidence'>>,
  upTo: number,
  length: number,
): FixedTokens {
  const fixedAt = new Int32Array(length);
  const confidence = new Float32Array(length).fill(NaN);
  for (const s of steps.slice(0, Math.max(0, upTo))) {
    for (const i of s.unmasked) {
      if (i < 0 || i >= length) continue;
      fixedAt[i] = s.step;
      confidence[i] = s.confidence[i];
    }
  }
  return { fixedAt, confidence };
}

/** Depths fixed at each grid position, [P] (raster order), from the tokens (mask id where not fixed). */
export function depthsFixed(tokens: ArrayLike<number>, grid: ImageGrid, maskId: number): Uint8Array {
  const positions = grid.height * grid.width;
  const out = new Uint8Array(positions);
  for (let p = 0; p < positions; p++) {
    let n = 0;
    for (let d = 0; d < grid.depths; d++) if (tokens[p * grid.depths + d] !== maskId) n++;
    out[p] = n;
  }
  return out;
}

/** Positions whose coarsest code (depth 0) is still masked: they are drawn hatched over the image. */
export function coarseMasked(tokens: ArrayLike<number>, grid: ImageGrid, maskId: number): boolean[] {
  return Array.from({ length: grid.height * grid.width }, (_, p) => tokens[p * grid.depths] === maskId);
}

/** The step colouring: early steps dark violet, late steps light yellow (a viridis-like ramp), so
 *  the order in which regions were filled in reads at a glance. */
export function stepColor(step: number, totalSteps: number): string {
  const t = totalSteps > 1 ? Math.max(0, Math.min(1, (step - 1) / (totalSteps - 1))) : 1;
  const hue = Math.round(275 - 220 * t);
  const light = Math.round(32 + 36 * t);
  return `hsl(${hue} 70% ${light}%)`;
}

/** Where one depth's sub-cell lies in its position's cell: depths fill a near-square block of
 *  sub-cells in reading order (4 depths: 0 1 / 2 3), coarsest at the top left. */
export interface SubCell {
  x: number;
  y: number;
  size: number;
}

/** `margin` inside the cell's edge is wider than the `gap` between sub-cells, so the sub-cells of one
 *  position read as a group. */
export function subCell(depth: number, depths: number, cell: number, gap: number, margin = gap): SubCell {
  const per = Math.ceil(Math.sqrt(Math.max(1, depths)));
  const size = (cell - 2 * margin - gap * (per - 1)) / per;
  const col = depth % per;
  const row = Math.floor(depth / per);
  return { x: margin + col * (size + gap), y: margin + row * (size + gap), size };
}

/** Grid position and depth of a sequence index. */
export function positionOf(index: number, grid: ImageGrid): { x: number; y: number; depth: number } {
  const p = Math.floor(index / grid.depths);
  return { x: p % grid.width, y: Math.floor(p / grid.width), depth: index % grid.depths };
}

/** Whether a class name matches the picker's filter: every word of the filter occurs in it, in any
 *  order, ignoring case ("fruit food" finds "food-fruit"). */
export function classMatches(className: string, filter: string): boolean {
  const name = className.toLowerCase();
  return filter
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean)
    .every((w) => name.includes(w));
}
