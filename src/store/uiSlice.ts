// Which view the central stage shows. For now: an overview of the playground and the kernel
// self-test; generation views join them as models arrive.

import type { SliceCreator } from './types.ts';

export type StageView = 'overview' | 'selftest';

export interface UiState {
  view: StageView;
}

export interface UiSlice {
  ui: UiState;
  showView(view: StageView): void;
}

export const initialUi: UiState = { view: 'overview' };

export const createUiSlice: SliceCreator<UiSlice> = (set) => ({
  ui: initialUi,
  showView: (view) => set((s) => ({ ui: { ...s.ui, view } })),
});
