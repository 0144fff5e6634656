// The one store, combined from its slices.

import { create } from 'zustand';
import { createAdapterSlice } from './adapterSlice.ts';
import { createAttentionLabSlice } from './attentionLab.ts';
import { createCacheSlice } from './cacheSlice.ts';
import { createDiffusionSlice } from './diffusionSlice.ts';
import { createImageSlice } from './image.ts';
import { createModelsSlice } from './modelsSlice.ts';
import { createSelftestSlice } from './selftestSlice.ts';
import { createTextSlice } from './textSlice.ts';
import type { StoreState } from './types.ts';
import { createUiSlice } from './uiSlice.ts';

export const useStore = create<StoreState>()((...a) => ({
  ...createAdapterSlice(...a),
  ...createModelsSlice(...a),
  ...createCacheSlice(...a),
  ...createSelftestSlice(...a),
  ...createUiSlice(...a),
  ...createTextSlice(...a),
  ...createDiffusionSlice(...a),
  ...createImageSlice(...a),
  ...createAttentionLabSlice(...a),
}));
