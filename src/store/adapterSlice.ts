// The GPU adapter as the engine sees it: whether a device could be opened, what it is, and what
// went wrong if not. `unavailable` means WebGPU itself is missing (error code 'no-webgpu'); `error`
// is any other failure (the worker crashed, the device could not be created …).

import type { EngineInfo, ErrorData } from '../engine/api.ts';
import type { SliceCreator } from './types.ts';

export type AdapterStatus = 'idle' | 'loading' | 'ready' | 'unavailable' | 'error';

export interface AdapterState {
  status: AdapterStatus;
  info: EngineInfo | null;
  error: ErrorData | null;
}

export interface AdapterSlice {
  adapter: AdapterState;
  adapterLoading(): void;
  adapterReady(info: EngineInfo): void;
  adapterFailed(error: ErrorData): void;
}

export const initialAdapter: AdapterState = { status: 'idle', info: null, error: null };

export const createAdapterSlice: SliceCreator<AdapterSlice> = (set) => ({
  adapter: initialAdapter,
  adapterLoading: () => set({ adapter: { status: 'loading', info: null, error: null } }),
  adapterReady: (info) => set({ adapter: { status: 'ready', info, error: null } }),
  adapterFailed: (error) =>
    set({ adapter: { status: error.code === 'no-webgpu' ? 'unavailable' : 'error', info: null, error } }),
});
