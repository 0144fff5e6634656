// Progress meters and the aggregator on a fake clock: reports are throttled (≤ 1 per interval) with a
// trailing report, the final 100 % report of a file always comes at once, the rate is smoothed over
// a window and the ETA follows from it; overall progress is the sum of the files.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ProgressAggregator,
  ProgressMeter,
  RateWindow,
  type DownloadProgress,
  type OverallProgress,
} from './progress.ts';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const now = (): number => Date.now();

describe('ProgressMeter', () => {
  it('throttles to one report per interval, with a trailing report and an immediate final one', () => {
    const events: DownloadProgress[] = [];
    const m = new ProgressMeter('w.bin', 1000, (p) => events.push(p), { intervalMs: 100, now });
    m.start();
    expect(events).toHaveLength(1);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(10);
      m.add(10);
    }
    // The start report, then the trailing report of the first interval, fired at t = 100 (90 bytes).
    expect(events.map((e) => e.loaded)).toEqual([0, 90]);
    m.add(50);
    expect(events).toHaveLength(2);
    vi.advanceTimersByTime(100);
    expect(events.map((e) => e.loaded)).toEqual([0, 90, 150]); // the next trailing report, at t = 200
    m.add(900); // past the total: clamped
    expect(events.at(-1)).toMatchObject({ loaded: 1000, total: 1000, done: true, etaSeconds: 0 });
    m.add(10);
    vi.advanceTimersByTime(1000);
    expect(events.filter((e) => e.done)).toHaveLength(1);
    expect(events.at(-1)?.loaded).toBe(1000);
  });

  it('never reports more than 10 times a second by default', () => {
    let count = 0;
    const m = new ProgressMeter('w.bin', 1e9, () => count++, { now });
    for (let i = 0; i < 1000; i++) {
      vi.advanceTimersByTime(1);
      m.add(1000);
    }
    vi.advanceTimersByTime(200);
    expect(count).toBeGreaterThanOrEqual(9);
    expect(count).toBeLessThanOrEqual(11);
  });

  it('smooths the rate over the window and estimates the time left', () => {
    const events: DownloadProgress[] = [];
    const m = new ProgressMeter('w.bin', 10_000, (p) => events.push(p), { intervalMs: 0, windowMs: 1000, now });
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(100);
      m.add(i < 10 ? 100 : 300); // 1000 B/s, then 3000 B/s
    }
    const last = events.at(-1)!;
    expect(last.loaded).toBe(4000);
    expect(last.bytesPerSecond).toBeCloseTo(3000, 5); // the window holds only the fast second
    expect(last.etaSeconds).toBeCloseTo(2, 5);
  });

  it('completes a file of unknown size on finish', () => {
    const events: DownloadProgress[] = [];
    const m = new ProgressMeter('w.bin', null, (p) => events.push(p), { intervalMs: 0, now });
    vi.advanceTimersByTime(500);
    m.set(700);
    expect(events.at(-1)).toMatchObject({ loaded: 700, total: null, etaSeconds: null, done: false });
    m.finish();
    expect(events.at(-1)).toMatchObject({ loaded: 700, total: 700, done: true, etaSeconds: 0 });
  });

  it('stays silent after stop, dropping a pending trailing report', () => {
    const events: DownloadProgress[] = [];
    const m = new ProgressMeter('w.bin', 100, (p) => events.push(p), { intervalMs: 100, now });
    m.start();
    m.add(10);
    m.stop();
    vi.advanceTimersByTime(500);
    m.add(90);
    expect(events).toHaveLength(1);
  });
});

describe('RateWindow', () => {
  it('is 0 until two samples exist and never negative', () => {
    const r = new RateWindow(1000);
    expect(r.sample(0, 0)).toBe(0);
    expect(r.sample(500, 1000)).toBe(2000);
    expect(r.sample(500.5, 1500)).toBe(3000); // same instant: the last sample is replaced
  });
});

describe('ProgressAggregator', () => {
  it('sums files, throttles, and passes every final report through', () => {
    const updates: [OverallProgress, DownloadProgress][] = [];
    const agg = new ProgressAggregator((o, f) => updates.push([o, f]), { intervalMs: 100, now });
    const a = new ProgressMeter('a', 100, agg.onProgress, { intervalMs: 0, now });
    const b = new ProgressMeter('b', 300, agg.onProgress, { intervalMs: 0, now });
    a.start();
    b.start(); // throttled
    expect(updates).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(updates).toHaveLength(2);
    expect(updates[1][0]).toMatchObject({ loaded: 0, total: 400, done: false });
    a.add(100); // final: at once
    expect(updates).toHaveLength(3);
    expect(updates[2][1]).toMatchObject({ file: 'a', done: true });
    expect(updates[2][0]).toMatchObject({ loaded: 100, total: 400, done: false });
    vi.advanceTimersByTime(1000);
    b.add(300);
    const [overall, file] = updates.at(-1)!;
    expect(file).toMatchObject({ file: 'b', done: true });
    expect(overall).toMatchObject({ loaded: 400, total: 400, done: true, etaSeconds: 0 });
    expect(overall.files.map((f) => f.file)).toEqual(['a', 'b']);
    expect(overall.bytesPerSecond).toBeGreaterThan(0);
  });

  it('has an unknown total while any file has one', () => {
    const agg = new ProgressAggregator(() => undefined, { now });
    agg.onProgress({ file: 'a', loaded: 5, total: 10, bytesPerSecond: 0, etaSeconds: null, done: false });
    agg.onProgress({ file: 'b', loaded: 7, total: null, bytesPerSecond: 0, etaSeconds: null, done: false });
    expect(agg.overall()).toMatchObject({ loaded: 12, total: null, etaSeconds: null, done: false });
  });

  it('takes reports without `done` (as the weight cache sends) as done when loaded reaches total', () => {
    const files: DownloadProgress[] = [];
    const agg = new ProgressAggregator((_o, f) => files.push(f), { now });
    agg.onProgress({ file: 'w', loaded: 10, total: 10, bytesPerSecond: 5, etaSeconds: 0 });
    expect(files).toEqual([{ file: 'w', loaded: 10, total: 10, bytesPerSecond: 5, etaSeconds: 0, done: true }]);
    expect(agg.overall().done).toBe(true);
  });
});
