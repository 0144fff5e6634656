// Download progress. A `ProgressMeter` follows one file: it counts bytes, smooths the rate over a short
// window, estimates the time left and reports at most every `intervalMs` (with a trailing report, so
// the last state is never lost), plus one final 100 % report the moment the file is complete. A
// `ProgressAggregator` takes the per-file reports of every source of a model and adds them up into
// overall progress, throttled the same way but passing every file's final report through.
// Nothing here knows about HTTP: sources call `add` / `set` / `finish`, views read the reports.

/** Progress of one file. */
export interface DownloadProgress {
  /** The file's name as its source names it ("model.safetensors"). */
  file: string;
  /** Bytes received so far (distinct bytes: a byte read twice counts once). */
  loaded: number;
  /** Size of the file in bytes, or null while unknown. */
  total: number | null;
  /** Smoothed rate over the last few seconds; 0 until two samples exist. */
  bytesPerSecond: number;
  /** Seconds left at the current rate, or null when the total or the rate is unknown; 0 once done. */
  etaSeconds: number | null;
  /** True on the file's final report (loaded === total). */
  done: boolean;
}

/** Called with per-file progress; what sources accept as `onProgress`. */
export type ProgressCallback = (progress: DownloadProgress) => void;

/** What the aggregator accepts: a file report where `done` may be left out (then loaded === total). */
export type FileReport = Omit<DownloadProgress, 'done'> & { done?: boolean };

/** Progress of all files of a download together. */
export interface OverallProgress {
  /** Sum of `loaded` over the files seen so far. */
  loaded: number;
  /** Sum of the files' totals, or null while any total is unknown. */
  total: number | null;
  bytesPerSecond: number;
  etaSeconds: number | null;
  /** The latest report of every file seen so far, in the order they were first seen. */
  files: DownloadProgress[];
  /** True when every file seen so far is done. */
  done: boolean;
}

export interface ProgressOptions {
  /** Minimum time between two reports, except final ones (default 100 ms: at most 10 reports/s). */
  intervalMs?: number;
  /** Window the rate is measured over (default 3000 ms). */
  windowMs?: number;
  /** Clock in milliseconds (default performance.now); tests inject their own. */
  now?: () => number;
}

const DEFAULT_INTERVAL_MS = 100;
const DEFAULT_WINDOW_MS = 3000;

const defaultNow = (): number => performance.now();

/** A rate over a sliding window of (time, bytes) samples. */
export class RateWindow {
  private samples: { t: number; loaded: number }[] = [];

  constructor(private readonly windowMs = DEFAULT_WINDOW_MS) {}

  /** Records `loaded` at time `t` (ms) and returns the smoothed rate in bytes per second. */
  sample(t: number, loaded: number): number {
    const s = this.samples;
    if (s.length > 0 && t - s[s.length - 1].t < 1) s[s.length - 1] = { t: s[s.length - 1].t, loaded };
    else s.push({ t, loaded });
    // Keep one sample at or before the window's start as the baseline, drop older ones.
    while (s.length > 2 && s[1].t <= t - this.windowMs) s.shift();
    return this.rate();
  }

  rate(): number {
    const s = this.samples;
    if (s.length < 2) return 0;
    const first = s[0];
    const last = s[s.length - 1];
    const dt = (last.t - first.t) / 1000;
    return dt > 0 ? Math.max(0, (last.loaded - first.loaded) / dt) : 0;
  }
}

/** A throttle with a trailing call: `run` fires at once when allowed, else once when the interval ends. */
class Throttle {
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly fire: () => void,
  ) {}

  run(): void {
    const t = this.now();
    if (t - this.last >= this.intervalMs) {
      this.cancel();
      this.last = t;
      this.fire();
    } else if (this.timer === null) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.last = this.now();
          this.fire();
        },
        Math.max(0, this.last + this.intervalMs - t),
      );
    }
  }

  /** Fires now, whatever the interval (final reports). */
  flush(): void {
    this.cancel();
    this.last = this.now();
    this.fire();
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Progress of one file, reported through a callback. */
export class ProgressMeter {
  private loadedBytes = 0;
  private totalBytes: number | null;
  private finished = false;
  private stopped = false;
  private readonly rate: RateWindow;
  private readonly throttle: Throttle;
  private readonly now: () => number;

  constructor(
    readonly file: string,
    total: number | null,
    private readonly onProgress: ProgressCallback | undefined,
    options: ProgressOptions = {},
  ) {
    this.totalBytes = total;
    this.now = options.now ?? defaultNow;
    this.rate = new RateWindow(options.windowMs ?? DEFAULT_WINDOW_MS);
    this.rate.sample(this.now(), 0);
    this.throttle = new Throttle(options.intervalMs ?? DEFAULT_INTERVAL_MS, this.now, () => this.emit());
  }

  get loaded(): number {
    return this.loadedBytes;
  }

  get total(): number | null {
    return this.totalBytes;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Reports the current state now (e.g. "started, 0 bytes"), ignoring the throttle. */
  start(): void {
    if (!this.stopped && !this.finished) this.throttle.flush();
  }

  /** Counts `n` more bytes; completes the file when loaded reaches the total. */
  add(n: number): void {
    if (n > 0) this.set(this.loadedBytes + n);
  }

  /** Sets the bytes received so far (never goes down). */
  set(loaded: number): void {
    if (this.stopped || this.finished || loaded <= this.loadedBytes) return;
    this.loadedBytes = this.totalBytes === null ? loaded : Math.min(loaded, this.totalBytes);
    this.rate.sample(this.now(), this.loadedBytes);
    if (this.totalBytes !== null && this.loadedBytes >= this.totalBytes) this.finish();
    else this.throttle.run();
  }

  setTotal(total: number): void {
    if (this.stopped || this.finished) return;
    this.totalBytes = total;
    if (this.loadedBytes >= total) this.finish();
  }

  /** The file is complete: one final report with loaded === total (the total becomes loaded if unknown). */
  finish(): void {
    if (this.stopped || this.finished) return;
    if (this.totalBytes === null || this.totalBytes < this.loadedBytes) this.totalBytes = this.loadedBytes;
    this.loadedBytes = this.totalBytes;
    this.rate.sample(this.now(), this.loadedBytes);
    this.finished = true;
    this.throttle.flush();
  }

  /** No more reports (cancelled or failed); a pending trailing report is dropped. */
  stop(): void {
    this.stopped = true;
    this.throttle.cancel();
  }

  /** The current state as a report. */
  snapshot(): DownloadProgress {
    const bytesPerSecond = this.rate.rate();
    return {
      file: this.file,
      loaded: this.loadedBytes,
      total: this.totalBytes,
      bytesPerSecond,
      etaSeconds: etaSeconds(this.loadedBytes, this.totalBytes, bytesPerSecond, this.finished),
      done: this.finished,
    };
  }

  private emit(): void {
    if (this.onProgress && !this.stopped) this.onProgress(this.snapshot());
  }
}

function etaSeconds(loaded: number, total: number | null, rate: number, done: boolean): number | null {
  if (done) return 0;
  if (total === null || rate <= 0) return null;
  return Math.max(0, (total - loaded) / rate);
}

/**
 * Adds up per-file reports: pass `aggregator.onProgress` to the sources, get overall progress in
 * `onUpdate` (with the file report that caused it). Reports come at most every `intervalMs`, except a
 * file's final report, which always comes through.
 */
export class ProgressAggregator {
  private files = new Map<string, DownloadProgress>();
  private latest: DownloadProgress | null = null;
  private readonly rate: RateWindow;
  private readonly throttle: Throttle;
  private readonly now: () => number;
  private stopped = false;

  constructor(
    private readonly onUpdate: (overall: OverallProgress, file: DownloadProgress) => void,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? defaultNow;
    this.rate = new RateWindow(options.windowMs ?? DEFAULT_WINDOW_MS);
    this.throttle = new Throttle(options.intervalMs ?? DEFAULT_INTERVAL_MS, this.now, () => this.emit());
  }

  /** The per-file callback to hand to sources (the weight cache's reports fit too). */
  readonly onProgress = (report: FileReport): void => {
    if (this.stopped) return;
    const p: DownloadProgress = {
      file: report.file,
      loaded: report.loaded,
      total: report.total,
      bytesPerSecond: report.bytesPerSecond,
      etaSeconds: report.etaSeconds,
      done: report.done ?? (report.total !== null && report.loaded >= report.total),
    };
    this.files.set(p.file, p);
    this.latest = p;
    this.rate.sample(this.now(), this.sum().loaded);
    if (p.done) this.throttle.flush();
    else this.throttle.run();
  };

  /** The overall state now. */
  overall(): OverallProgress {
    const { loaded, total } = this.sum();
    const files = [...this.files.values()];
    const done = files.length > 0 && files.every((f) => f.done);
    const bytesPerSecond = this.rate.rate();
    return { loaded, total, bytesPerSecond, etaSeconds: etaSeconds(loaded, total, bytesPerSecond, done), files, done };
  }

  /** No more updates; a pending trailing update is dropped. */
  stop(): void {
    this.stopped = true;
    this.throttle.cancel();
  }

  private sum(): { loaded: number; total: number | null } {
    let loaded = 0;
    let total: number | null = 0;
    for (const f of this.files.values()) {
      loaded += f.loaded;
      total = total === null || f.total === null ? null : total + f.total;
    }
    return { loaded, total };
  }

  private emit(): void {
    if (!this.stopped && this.latest) this.onUpdate(this.overall(), this.latest);
  }
}
