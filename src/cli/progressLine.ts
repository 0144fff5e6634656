// Download progress on stderr as one line that rewrites itself ("\r"): the file being fetched, bytes
// done / total over all files, rate and time left; a newline when the download ends, so results that
// follow start on a clean line. When stderr is not a terminal (logs, pipes), it prints one plain line
// per finished file instead of a stream of "\r" updates.

import {
  ProgressAggregator,
  type DownloadProgress,
  type FileReport,
  type OverallProgress,
} from '../formats/progress.ts';
import { formatBytes } from './commands/inspect.ts';

export interface ProgressLineStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressLine {
  /** Per-file progress callback: hand it to resolveNodeSource({ onProgress }). */
  onProgress: (p: FileReport) => void;
  /** Ends the current line (newline if drawn) so other output starts clean; later reports start a new line. */
  clear(): void;
  /** Ends the line (a newline when anything was drawn); later reports are ignored. Safe to call twice. */
  done(): void;
}

export interface ProgressLineOptions {
  /** Draw "\r" updates (default: stream.isTTY). */
  live?: boolean;
  intervalMs?: number;
  now?: () => number;
}

/** A progress line on `stream` (default process.stderr). */
export function createProgressLine(
  stream: ProgressLineStream = process.stderr,
  options: ProgressLineOptions = {},
): ProgressLine {
  const live = options.live ?? stream.isTTY === true;
  let drawn = 0; // width of the line on screen
  let ended = false;
  const reported = new Set<string>();
  const aggregator = new ProgressAggregator(
    (overall, file) => {
      if (ended) return;
      if (live) {
        const width = Math.max(20, (stream.columns ?? 100) - 1);
        let text = renderProgress(overall, file);
        if (text.length > width) text = `${text.slice(0, width - 1)}…`;
        stream.write(`\r${text}${' '.repeat(Math.max(0, drawn - text.length))}`);
        drawn = text.length;
      } else if (file.done && !reported.has(file.file)) {
        reported.add(file.file);
        stream.write(`downloaded ${file.file} (${formatBytes(file.loaded)})\n`);
      }
    },
    { intervalMs: options.intervalMs, now: options.now },
  );
  return {
    onProgress: aggregator.onProgress,
    clear() {
      if (drawn > 0) stream.write('\n');
      drawn = 0;
    },
    done() {
      if (ended) return;
      ended = true;
      aggregator.stop();
      if (drawn > 0) stream.write('\n');
    },
  };
}

/** "downloading model.safetensors  12.0 MiB / 40.0 MiB (30%)  5.1 MiB/s  6 s left". */
export function renderProgress(overall: OverallProgress, file: DownloadProgress): string {
  const amount =
    overall.total === null
      ? formatBytes(overall.loaded)
      : `${formatBytes(overall.loaded)} / ${formatBytes(overall.total)} (${percent(overall.loaded, overall.total)})`;
  const parts = [`${overall.done ? 'downloaded' : 'downloading'} ${file.file}`, amount];
  if (overall.bytesPerSecond > 0) parts.push(`${formatBytes(Math.round(overall.bytesPerSecond))}/s`);
  if (!overall.done && overall.etaSeconds !== null) parts.push(`${formatDuration(overall.etaSeconds)} left`);
  return parts.join('  ');
}

function percent(loaded: number, total: number): string {
  if (total <= 0) return '100%';
  return `${Math.floor((100 * loaded) / total)}%`;
}

/** "45 s", "3 min 05 s", "2 h 07 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
