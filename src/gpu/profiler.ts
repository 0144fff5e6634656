// Per-kernel timing. With `timestamp-query`, every compute pass writes begin/end timestamps into a
// query set that is resolved and read back at each submit: exact GPU time per dispatch. Without it,
// each profiled dispatch is submitted on its own and timed on the wall clock from one completed
// submission to the next (queue-ordered, so the difference is that dispatch's time plus overhead).

export interface KernelTiming {
  name: string; // kernel label
  calls: number; // dispatches in the window
  ms: number; // total milliseconds over those calls
}

export type TimingSource = 'timestamp' | 'wall';

import { MapRead, Usage } from './constants.ts';

const MAX_PASSES = 1024; // timestamp pairs per submission

export class Profiler {
  readonly source: TimingSource;
  enabled = false;
  private querySet: GPUQuerySet | null = null;
  private labels: string[] = []; // pass labels of the current, unsubmitted encoder
  private pending: Promise<Array<[string, number]>>[] = [];
  private lastDone = 0;

  constructor(private readonly device: GPUDevice) {
    this.source = device.features.has('timestamp-query') ? 'timestamp' : 'wall';
  }

  /** The timestampWrites for the next pass, or undefined when not profiling by timestamps. */
  passWrites(label: string): GPUComputePassTimestampWrites | undefined {
    if (!this.enabled || this.source !== 'timestamp') return undefined;
    if (!this.querySet) {
      this.querySet = this.device.createQuerySet({
        label: 'profiler.timestamps',
        type: 'timestamp',
        count: 2 * MAX_PASSES,
      });
    }
    const i = this.labels.length;
    this.labels.push(label);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** True when the encoder holds as many timed passes as one query set can take. */
  get full(): boolean {
    return this.labels.length >= MAX_PASSES;
  }

  /** Call just before finishing the encoder: appends the resolve + copy for this submission. */
  beforeSubmit(encoder: GPUCommandEncoder): (() => void) | undefined {
    if (this.labels.length === 0 || !this.querySet) return undefined;
    const labels = this.labels;
    this.labels = [];
    const n = labels.length * 2;
    const resolve = this.device.createBuffer({
      label: 'profiler.resolve',
      size: n * 8,
      usage: Usage.QUERY_RESOLVE | Usage.COPY_SRC,
    });
    const read = this.device.createBuffer({
      label: 'profiler.readback',
      size: n * 8,
      usage: Usage.MAP_READ | Usage.COPY_DST,
    });
    encoder.resolveQuerySet(this.querySet, 0, n, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, read, 0, n * 8);
    return () => {
      this.pending.push(
        read.mapAsync(MapRead).then(() => {
          const ts = new BigInt64Array(read.getMappedRange().slice(0));
          read.unmap();
          read.destroy();
          resolve.destroy();
          return labels.map((label, i): [string, number] => [label, Number(ts[2 * i + 1] - ts[2 * i]) / 1e6]);
        }),
      );
    };
  }

  /** Wall-clock mode: record one dispatch that was just submitted on its own. */
  afterWallSubmit(label: string): void {
    if (!this.enabled || this.source !== 'wall') return;
    const submitted = performance.now();
    this.pending.push(
      this.device.queue.onSubmittedWorkDone().then(() => {
        const done = performance.now();
        const ms = done - Math.max(submitted, this.lastDone);
        this.lastDone = done;
        return [[label, ms]];
      }),
    );
  }

  /** Timings aggregated by kernel since the last call (awaits the outstanding readbacks). */
  async take(): Promise<KernelTiming[]> {
    const pending = this.pending;
    this.pending = [];
    const rows = (await Promise.all(pending)).flat();
    const byName = new Map<string, KernelTiming>();
    for (const [name, ms] of rows) {
      const t = byName.get(name) ?? { name, calls: 0, ms: 0 };
      t.calls += 1;
      t.ms += Math.max(0, ms);
      byName.set(name, t);
    }
    return [...byName.values()];
  }
}
