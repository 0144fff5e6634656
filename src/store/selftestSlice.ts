// The in-browser self-test: every kernel against its float64 reference. Rows arrive one by one
// while it runs, so the table fills progressively.

import type { ErrorData, SelftestRow } from '../engine/api.ts';
import type { SliceCreator } from './types.ts';

export interface SelftestProgressState {
  done: number; // rows received
  total: number; // rows expected (0 until the first row arrives)
}

export interface SelftestState {
  running: boolean;
  rows: SelftestRow[];
  progress: SelftestProgressState;
  error: ErrorData | null;
  finished: boolean; // a run completed (rows hold its full result)
}

export interface SelftestSlice {
  selftest: SelftestState;
  selftestStarted(): void;
  selftestRow(row: SelftestRow, index: number, total: number): void;
  selftestFinished(rows: SelftestRow[]): void;
  selftestFailed(error: ErrorData): void;
}

export const initialSelftest: SelftestState = {
  running: false,
  rows: [],
  progress: { done: 0, total: 0 },
  error: null,
  finished: false,
};

export const createSelftestSlice: SliceCreator<SelftestSlice> = (set) => ({
  selftest: initialSelftest,
  selftestStarted: () => set({ selftest: { ...initialSelftest, running: true } }),
  selftestRow: (row, index, total) =>
    set((s) => {
      // Progress messages travel on their own channel and may land after the final result.
      if (!s.selftest.running) return s;
      const rows = s.selftest.rows.slice();
      rows[index] = row;
      return { selftest: { ...s.selftest, rows, progress: { done: rows.filter(Boolean).length, total } } };
    }),
  selftestFinished: (rows) =>
    set((s) => ({
      selftest: {
        ...s.selftest,
        running: false,
        finished: true,
        rows,
        progress: { done: rows.length, total: rows.length },
      },
    })),
  selftestFailed: (error) => set((s) => ({ selftest: { ...s.selftest, running: false, error } })),
});
