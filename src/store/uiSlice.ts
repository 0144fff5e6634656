// Which view the central stage shows: an overview of the playground, the loaded model's inspector,
// the weight cache and the kernel self-test; generation views join them.

import type { SliceCreator } from './types.ts';

export type StageView = 'overview' | 'model' | 'cache' | 'selftest';

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
