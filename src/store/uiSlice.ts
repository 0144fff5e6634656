// Which view the central stage shows: an overview of the playground, the loaded model's inspector,
// the weight cache and the kernel self-test; generation views join them.

import type { SliceCreator } from './types.ts';

// 'generate': the step view of the loaded model (text or masked diffusion, by its model type).
// 'attention-lab': dense vs sparse attention and token merging on synthetic tokens.
// 'images': class-to-image token generators (MaskGIT and autoregressive), step by step.
export type StageView = 'overview' | 'model' | 'cache' | 'selftest' | 'generate' | 'attention-lab' | 'images';

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
