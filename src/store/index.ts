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
  reportLoadError,
  sourceLabel,
} from './modelActions.ts';
export type { AdapterState, AdapterStatus } from './adapterSlice.ts';
export type { CacheState } from './cacheSlice.ts';
export type { LoadState, LoadStatus, ShippedListState, ShippedModelEntry } from './modelsSlice.ts';
export type { SelftestProgressState, SelftestState } from './selftestSlice.ts';
export type { StageView, UiState } from './uiSlice.ts';
export type { StoreState } from './types.ts';
export {
  dropStaleRun as forgetOtherTextRuns,
  branchSettings,
  isTextModel,
  textBranch,
  textPause,
  textReset,
  textRun,
  textSelectStep,
  textShowBranch,
  textStep,
  textStepBack,
} from './textActions.ts';
export {
  dropStaleRun as forgetOtherDiffusionRuns,
  companionPrompt,
  diffusionPause,
  diffusionReset,
  diffusionRun,
  diffusionSelectStep,
  diffusionStep,
  diffusionStepBack,
  isDiffusionModel,
  setSideBySide,
} from './diffusionActions.ts';
export { activeBranch, validateTextForm } from './textSlice.ts';
export type { TextBranch, TextForm, TextFormErrors, TextState } from './textSlice.ts';
export { COMPANION_MODEL, MASK_TEXT, SAMPLER_FIELDS, tokensAt, validateDiffusionForm } from './diffusionSlice.ts';
export type {
  CompanionState,
  DiffusionCache,
  DiffusionForm,
  DiffusionFormErrors,
  DiffusionState,
  Remasking,
} from './diffusionSlice.ts';
export {
  LAB_BLOCKS,
  LAB_HEAD_DIMS,
  LAB_MAX_RATIO,
  labBlockMaps,
  labMaxLevels,
  labModelOf,
  labTokenChoices,
  paperLevels,
  shownQueryBlock,
  validateLabForm,
} from './attentionLab.ts';
export type {
  AttentionLabForm,
  AttentionLabFormErrors,
  AttentionLabState,
  LabLevelMap,
  LabModelInfo,
} from './attentionLab.ts';
export { runAttentionLab } from './attentionLabActions.ts';
export {
  decodeKey,
  DEFAULT_DEPTHS,
  IMAGE_MODELS,
  imageFinished,
  imageTimelineLength,
  otherImageModel,
  runStepAt,
  samplerOf,
  shownImageModels,
  validateImageForm,
} from './image.ts';
export type { GridColouring, ImageForm, ImageFormErrors, ImageModelId, ImageRun, ImageState } from './image.ts';
export {
  ensureImageModel,
  imageChooseModel,
  imageEnsureDecoded,
  imagePause,
  imagePlay,
  imageReset,
  imageRun,
  imageSelectStep,
  imageSetSideBySide,
  imageStep,
  imageStepBack,
  imageStopPlaying,
  imageViewOpened,
  playFrameMs,
} from './imageActions.ts';
