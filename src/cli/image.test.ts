// `generate` with an image model and `decode`, as a user runs them (the real CLI, shipped models):
// the PNG written decodes, the trace has the documented shape and layout, MaskGIT's trace follows its
// schedule, decode reproduces the generated image from the trace; bad input → one `error:` line, exit 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixSchedule } from '../samplers/maskgit.ts';

function cli(args: string[]) {
  const r = spawnSync('node', ['--import', 'tsx', '--import', './scripts/raw-loader.mjs', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Width, height and RGBA bytes of a PNG this project wrote (one IDAT, filter 0). */
function readPng(file: string): { width: number; height: number; rgba: Uint8Array } {
  const png = readFileSync(file);
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const idat = png.indexOf('IDAT');
  const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    rgba.set(raw.subarray(y * (1 + 4 * width) + 1, (y + 1) * (1 + 4 * width)), y * 4 * width);
  return { width, height, rgba };
}

const dir = mkdtempSync(join(tmpdir(), 'stepwise-image-'));

describe('generate --model emoji-maskgit', () => {
  it('writes a 32×32 PNG and a trace in the documented shape that follows the cosine schedule', () => {
    const out = join(dir, 'mg.png');
    const trace = join(dir, 'mg.json');
    const r = cli([
      'generate',
      '--model',
      'emoji-maskgit',
      '--class',
      'face-smiling',
      '--steps',
      '8',
      '--seed',
      '3',
      '--out',
      out,
      '--trace',
      trace,
      '--json',
    ]);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.code).toBe(0);
    const png = readPng(out);
    expect([png.width, png.height]).toEqual([32, 32]);
    const t = JSON.parse(readFileSync(trace, 'utf8'));
    expect(t).toMatchObject({ model: 'emoji-maskgit', sampler: 'maskgit', maskTokenId: 256 });
    expect(t.steps.length).toBe(8);
    expect(t.steps.map((s: { unmasked: number[] }) => s.unmasked.length)).toEqual(fixSchedule(256, 8));
    const last = t.steps.at(-1).tokens as number[];
    expect(last.length).toBe(256);
    expect(last.every((x) => x >= 0 && x < 256)).toBe(true);
    expect(JSON.parse(r.stdout).tokens).toEqual(last);

    // decode of the trace's last step gives the same pixels as the generated image.
    const again = join(dir, 'decoded.png');
    const d = cli(['decode', '--model', 'emoji-rvq', '--tokens', trace, '--out', again]);
    expect(d.code).toBe(0);
    expect(Array.from(readPng(again).rgba)).toEqual(Array.from(png.rgba));
    // Fewer depths: a coarser, different image.
    const coarse = join(dir, 'coarse.png');
    expect(
      cli(['decode', '--model', 'emoji-rvq', '--tokens', trace, '--depths', '1', '--out', coarse, '--scale', '2']).code,
    ).toBe(0);
    const c = readPng(coarse);
    expect([c.width, c.height]).toEqual([64, 64]);
  });

  it.each([
    [['--class', 'no-such-class'], /^error: unknown class "no-such-class".*animal-mammal/s],
    [['--class', 'face-smiling', '--steps', '0'], /^error: --steps must be ≥ 1/],
    [['--class', 'face-smiling', '--cfg', '-1'], /^error: guidance must be a number ≥ 0/],
    [['--class', 'face-smiling', '--steps', '300'], /^error: steps must be a whole number from 1 to 256/],
    [['--class', 'face-smiling', '--prompt', 'hi'], /^error: --prompt does not apply to image models/],
    [['--class', 'face-smiling', '--merge-ratio', '0.9'], /^error: --merge-ratio must be ≤ 0\.75/],
  ])('bad input %j → exit 2 and one error line', (extra, pattern) => {
    const r = cli(['generate', '--model', 'emoji-maskgit', '--out', join(dir, 'x.png'), ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(pattern);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:')).length,
    ).toBe(1);
  });
});

describe('generate --model emoji-ar', () => {
  it('writes a PNG; the trace fixes one grid position (4 tokens, in order) per step', () => {
    const out = join(dir, 'ar.png');
    const trace = join(dir, 'ar.json');
    const r = cli([
      'generate',
      '--model',
      'emoji-ar',
      '--class',
      'animal-mammal',
      '--seed',
      '2',
      '--out',
      out,
      '--trace',
      trace,
    ]);
    expect(r.code).toBe(0);
    expect(readPng(out).width).toBe(32);
    const t = JSON.parse(readFileSync(trace, 'utf8'));
    expect(t.sampler).toBe('ar');
    expect(t.steps.length).toBe(64);
    t.steps.forEach((s: { unmasked: number[] }, k: number) =>
      expect(s.unmasked).toEqual([4 * k, 4 * k + 1, 4 * k + 2, 4 * k + 3]),
    );
  });

  it('rejects --steps (MaskGIT only)', () => {
    const r = cli([
      'generate',
      '--model',
      'emoji-ar',
      '--class',
      'animal-mammal',
      '--steps',
      '4',
      '--out',
      join(dir, 'y.png'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --steps does not apply to stepwise-ar image models/);
  });
});

describe('decode', () => {
  const write = (name: string, value: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(value));
    return f;
  };
  it.each([
    ['short.json', new Array(255).fill(0), /255 tokens, but emoji-rvq decodes 8×8 positions × 4 depths = 256/],
    ['big.json', new Array(256).fill(257), /token 0 is 257; codes are 0…255 \(256 = masked\)/],
    ['text.json', 'not json', /no token list/],
  ])('%s → exit 2 naming the file', (name, value, pattern) => {
    const f = write(name, value);
    const r = cli(['decode', '--model', 'emoji-rvq', '--tokens', f, '--out', join(dir, 'z.png')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(f);
    expect(r.stderr).toMatch(pattern);
  });

  it('--depths outside 1…4 → exit 2', () => {
    const f = write('ok.json', new Array(256).fill(0));
    const r = cli(['decode', '--model', 'emoji-rvq', '--tokens', f, '--depths', '5', '--out', join(dir, 'z.png')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --depths 5: emoji-rvq has 4 depths/);
  });
});
