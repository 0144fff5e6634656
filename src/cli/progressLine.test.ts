// The CLI's download progress line: one rewritten line on a terminal, one line per finished file
// otherwise; rendering of bytes, percent, rate and time left.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressMeter } from '../formats/progress.ts';
import { createProgressLine, formatDuration, renderProgress } from './progressLine.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const now = (): number => Date.now();
const MiB = 1024 * 1024;

describe('the CLI progress line', () => {
  it('renders bytes, percent, rate and time left', () => {
    const file = {
      file: 'model.safetensors',
      loaded: 12 * MiB,
      total: 40 * MiB,
      bytesPerSecond: 0,
      etaSeconds: null,
      done: false,
    };
    const overall = {
      loaded: 12 * MiB,
      total: 40 * MiB,
      bytesPerSecond: 4 * MiB,
      etaSeconds: 7,
      files: [file],
      done: false,
    };
    expect(renderProgress(overall, file)).toBe(
      'downloading model.safetensors  12.0 MiB / 40.0 MiB (30%)  4.0 MiB/s  7 s left',
    );
    expect(renderProgress({ ...overall, total: null, etaSeconds: null, bytesPerSecond: 0 }, file)).toBe(
      'downloading model.safetensors  12.0 MiB',
    );
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7620)).toBe('2 h 07 min');
  });

  it('on a terminal, rewrites one line with \\r and ends it with a newline', () => {
    let out = '';
    const line = createProgressLine({ write: (t) => (out += t), isTTY: true, columns: 200 }, { intervalMs: 0, now });
    const m = new ProgressMeter('model.safetensors', 2048, line.onProgress, { intervalMs: 0, now });
    m.start();
    vi.advanceTimersByTime(1000);
    m.add(2048);
    line.clear(); // e.g. before a result is printed
    line.clear(); // a second clear adds nothing
    line.done();
    expect(out.split('\r').length).toBeGreaterThanOrEqual(2);
    expect(out).toMatch(/downloading model\.safetensors/);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.match(/\n/g)).toHaveLength(1);
  });

  it('when stderr is not a terminal, prints one line per finished file and nothing after done()', () => {
    let out = '';
    const line = createProgressLine({ write: (t) => (out += t), isTTY: false }, { intervalMs: 0, now });
    const m = new ProgressMeter('config.json', 100, line.onProgress, { intervalMs: 0, now });
    m.start();
    m.add(50);
    m.add(50);
    line.done();
    expect(out).toBe('downloaded config.json (100 B)\n');
    m.add(0);
    expect(out).toBe('downloaded config.json (100 B)\n');
  });
});
