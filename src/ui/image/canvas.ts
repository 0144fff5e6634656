// Drawing the Images view's pictures with the 2-D canvas: a decoded image scaled up with nearest
// neighbour (every pixel a crisp square), still-masked grid positions hatched over it, the contact
// sheet of a run, and saving a canvas as a PNG download (a blob URL: nothing inline, CSP-safe).

import type { DecodedImage, ImageGrid } from '../../engine/api.ts';
import { contactSheetLayout } from './sheet.ts';

const BLANK = '#1b1f27'; // what a position shows before any of its codes is fixed
const HATCH = 'rgb(163 171 184 / 0.55)';

/** The image at its own size, on a canvas of its own (drawImage then scales it up). */
function imageCanvas(image: DecodedImage): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = image.width;
  c.height = image.height;
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('no 2-D canvas context');
  // ImageData wants a buffer of its own (the snapshot's array may be a view into a larger one).
  ctx.putImageData(new ImageData(new Uint8ClampedArray(image.rgba), image.width, image.height), 0, 0);
  return c;
}

let hatchTile: HTMLCanvasElement | null = null;

/** A small tile of diagonal lines, repeated as a fill pattern. */
function hatchPattern(ctx: CanvasRenderingContext2D): CanvasPattern | null {
  if (!hatchTile) {
    hatchTile = document.createElement('canvas');
    hatchTile.width = 8;
    hatchTile.height = 8;
    const t = hatchTile.getContext('2d');
    if (t) {
      t.fillStyle = BLANK;
      t.fillRect(0, 0, 8, 8);
      t.strokeStyle = HATCH;
      t.lineWidth = 1.5;
      t.beginPath();
      t.moveTo(-2, 10);
      t.lineTo(10, -2);
      t.moveTo(-2, 2);
      t.lineTo(2, -2);
      t.moveTo(6, 10);
      t.lineTo(10, 6);
      t.stroke();
    }
  }
  return ctx.createPattern(hatchTile, 'repeat');
}

/**
 * Draws `image` over the whole of `ctx`'s area (x, y, size) with nearest-neighbour scaling, then
 * hatches the cells of the positions in `masked` (raster order over `grid`). Without an image (no
 * step yet) every cell is hatched.
 */
export function drawImageWithMask(
  ctx: CanvasRenderingContext2D,
  image: DecodedImage | null,
  grid: ImageGrid,
  masked: readonly boolean[] | null,
  x = 0,
  y = 0,
  size = ctx.canvas.width,
): void {
  ctx.save();
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = BLANK;
  ctx.fillRect(x, y, size, size);
  if (image) ctx.drawImage(imageCanvas(image), x, y, size, size);
  const pattern = hatchPattern(ctx);
  const cw = size / grid.width;
  const ch = size / grid.height;
  ctx.fillStyle = pattern ?? HATCH;
  for (let p = 0; p < grid.width * grid.height; p++) {
    if (image && !masked?.[p]) continue;
    // Whole pixels, so neighbouring hatched cells meet without seams.
    const x0 = Math.round(x + (p % grid.width) * cw);
    const y0 = Math.round(y + Math.floor(p / grid.width) * ch);
    const x1 = Math.round(x + ((p % grid.width) + 1) * cw);
    const y1 = Math.round(y + (Math.floor(p / grid.width) + 1) * ch);
    ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
  }
  ctx.restore();
}

export interface SheetFrame {
  step: number;
  image: DecodedImage;
  masked: boolean[]; // positions whose depth 0 is still masked after this step
}

/** Every step's image in a grid, its step number under it, and `title` above. */
export function renderContactSheet(frames: SheetFrame[], grid: ImageGrid, title: string): HTMLCanvasElement {
  const layout = contactSheetLayout(frames.length);
  const canvas = document.createElement('canvas');
  canvas.width = layout.width;
  canvas.height = layout.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2-D canvas context');
  ctx.fillStyle = '#0e1014';
  ctx.fillRect(0, 0, layout.width, layout.height);
  ctx.fillStyle = '#e5e8ed';
  ctx.font = '600 14px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.fillText(title, layout.pad, layout.title / 2 + layout.pad / 2, layout.width - 2 * layout.pad);
  ctx.font = '12px ui-monospace, monospace';
  ctx.textAlign = 'center';
  ctx.fillStyle = '#a3abb8';
  frames.forEach((f, i) => {
    const { x, y } = layout.cells[i];
    drawImageWithMask(ctx, f.image, grid, f.masked, x, y, layout.tile);
    ctx.fillText(`step ${f.step}`, x + layout.tile / 2, y + layout.tile + layout.label / 2 + 1);
  });
  return canvas;
}

/** A copy of `source` scaled by `factor` with nearest neighbour. */
export function scaledCanvas(source: HTMLCanvasElement, factor: number): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = source.width * factor;
  c.height = source.height * factor;
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('no 2-D canvas context');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(source, 0, 0, c.width, c.height);
  return c;
}

/** Saves the canvas as a PNG file through a download link. */
export function downloadPng(canvas: HTMLCanvasElement, fileName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) {
        reject(new Error('the canvas could not be encoded as PNG'));
        return;
      }
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName;
      a.rel = 'noopener';
      document.body.append(a);
      a.click();
      a.remove();
      // The download has its own copy once it started; give it a moment before the URL goes.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      resolve();
    }, 'image/png');
  });
}

/** A file name part from free text: "face-smiling" stays, spaces and odd characters become "-". */
export function fileSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'image';
}
