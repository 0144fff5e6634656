// Draws the app's PNG icons (public/icons/) from the shapes of public/favicon.svg — a dark rounded
// square with three rising bars — using only Node: a tiny rasteriser (rounded rectangles, 8×8
// supersampling for smooth edges) and a PNG encoder over node:zlib. No network, no image library.
//
//   node --import tsx scripts/make-icons.ts [--out public/icons] [--check]
//
// Writes icon-192.png and icon-512.png (transparent corners, as the favicon) and icon-maskable-512.png
// (full-bleed background, the bars shrunk into the maskable safe zone: a centred circle of 40 % radius).
// --check writes nothing and exits 1 when the files on disk differ from what it would write.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodePng } from '../src/cli/png.ts';
import { parseGeneratorArgs } from './generatorArgs.ts';

export const DEFAULT_OUT = fileURLToPath(new URL('../public/icons/', import.meta.url));

type Rgb = [number, number, number];

interface Shape {
  x: number;
  y: number;
  w: number;
  h: number;
  r: number; // corner radius
  color: Rgb;
}

// In favicon.svg's 64×64 user space.
const BACKGROUND: Shape = { x: 0, y: 0, w: 64, h: 64, r: 14, color: hex('#15181d') };
const BARS: Shape[] = [
  { x: 10, y: 42, w: 12, h: 12, r: 2.5, color: hex('#3a4250') },
  { x: 26, y: 30, w: 12, h: 24, r: 2.5, color: hex('#5a7fb8') },
  { x: 42, y: 12, w: 12, h: 42, r: 2.5, color: hex('#7cc4ff') },
];

export interface IconSpec {
  file: string;
  size: number;
  maskable: boolean;
}

export const ICONS: IconSpec[] = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-512.png', size: 512, maskable: true },
];

function hex(s: string): Rgb {
  const n = Number.parseInt(s.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Whether (px, py) lies inside the rounded rectangle. */
function inside(s: Shape, px: number, py: number): boolean {
  if (px < s.x || py < s.y || px > s.x + s.w || py > s.y + s.h) return false;
  const cx = Math.min(Math.max(px, s.x + s.r), s.x + s.w - s.r);
  const cy = Math.min(Math.max(py, s.y + s.r), s.y + s.h - s.r);
  const dx = px - cx;
  const dy = py - cy;
  return dx * dx + dy * dy <= s.r * s.r;
}

/** RGBA pixels of one icon. */
export function drawIcon(size: number, maskable: boolean): Uint8Array {
  const SS = 8; // samples per axis per pixel
  const unit = 64 / size; // favicon units per pixel
  // Maskable: the background fills the square; the bars shrink about the centre into the safe zone.
  const background: Shape = maskable ? { ...BACKGROUND, r: 0 } : BACKGROUND;
  const scale = maskable ? 0.72 : 1;
  const bars = BARS.map((b) => ({
    ...b,
    x: 32 + (b.x - 32) * scale,
    y: 32 + (b.y - 32) * scale,
    w: b.w * scale,
    h: b.h * scale,
    r: b.r * scale,
  }));
  const shapes = [background, ...bars];
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = (px + (sx + 0.5) / SS) * unit;
          const y = (py + (sy + 0.5) / SS) * unit;
          // The topmost shape covering the sample decides its colour (all shapes are opaque).
          for (let i = shapes.length - 1; i >= 0; i--) {
            if (inside(shapes[i], x, y)) {
              const c = shapes[i].color;
              r += c[0];
              g += c[1];
              b += c[2];
              a += 1;
              break;
            }
          }
        }
      }
      const o = (py * size + px) * 4;
      if (a > 0) {
        // Colour averaged over covered samples (straight, not premultiplied, alpha).
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
      }
      out[o + 3] = Math.round((255 * a) / (SS * SS));
    }
  }
  return out;
}

export function renderIcons(): Array<{ file: string; bytes: Uint8Array }> {
  return ICONS.map((i) => ({ file: i.file, bytes: encodePng(i.size, i.size, drawIcon(i.size, i.maskable)) }));
}

async function main(argv: string[]): Promise<number> {
  const usage = 'usage: node --import tsx scripts/make-icons.ts [--out public/icons] [--check]';
  const args = parseGeneratorArgs(argv, '--out', DEFAULT_OUT, usage);
  if (args.help) {
    console.log(usage);
    return 0;
  }
  const { path: out, check } = args;
  const icons = renderIcons();
  if (check) {
    let same = true;
    for (const { file, bytes } of icons) {
      const have = await readFile(join(out, file)).catch(() => null);
      if (!have || Buffer.compare(have, Buffer.from(bytes)) !== 0) {
        console.error(`${join(out, file)} is out of date`);
        same = false;
      }
    }
    if (same) console.error(`icons in ${out} are up to date`);
    return same ? 0 : 1;
  }
  await mkdir(out, { recursive: true });
  for (const { file, bytes } of icons) await writeFile(join(out, file), bytes);
  console.error(`wrote ${icons.map((i) => i.file).join(', ')} to ${out}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(2);
    },
  );
}
