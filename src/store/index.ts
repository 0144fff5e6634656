// The store's public face: the hook, the actions, and the types components need.

export { useStore } from './store.ts';
export { engine, loadAdapter, runSelftest, setEngineClientFactory, stopEngine, webGpuMissing } from './actions.ts';
export {
  cancelModelLoad,
  deleteCachedModel,
  keepModelsOffline,
  loadModel,
  loadShippedModels,
  refreshCache,
  sourceLabel,
} from './modelActions.ts';
export type { AdapterState, AdapterStatus } from './adapterSlice.ts';
export type { CacheState } from './cacheSlice.ts';
export type { LoadState, LoadStatus, ShippedListState, ShippedModelEntry } from './modelsSlice.ts';
export type { SelftestProgressState, SelftestState } from './selftestSlice.ts';
export type { StageView, UiState } from './uiSlice.ts';
export type { StoreState } from './types.ts';
