// The store's shape: one zustand store combined from slices (zustand's slices pattern). Each slice
// owns a part of the state and the synchronous setters for it; the asynchronous actions that talk
// to the engine live outside the store, in actions.ts.

import type { StateCreator } from 'zustand';
import type { AdapterSlice } from './adapterSlice.ts';
import type { AttentionLabSlice } from './attentionLab.ts';
import type { CacheSlice } from './cacheSlice.ts';
import type { DiffusionSlice } from './diffusionSlice.ts';
import type { ImageSlice } from './image.ts';
import type { ModelsSlice } from './modelsSlice.ts';
import type { SelftestSlice } from './selftestSlice.ts';
import type { TextSlice } from './textSlice.ts';
import type { UiSlice } from './uiSlice.ts';

export type StoreState = AdapterSlice &
  ModelsSlice &
  CacheSlice &
  SelftestSlice &
  UiSlice &
  TextSlice &
  DiffusionSlice &
  ImageSlice &
  AttentionLabSlice;

/** A slice creator that sees the whole store (to read other slices) but builds only its part. */
export type SliceCreator<Slice> = StateCreator<StoreState, [], [], Slice>;
