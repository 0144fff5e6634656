// Actions that talk to the engine. They live outside the store (zustand's "no store actions"
// practice): components call them without a hook, and they are the only code that knows about the
// worker client. The client — and with it the worker and its GPU device — is created on first use.

import type { ErrorData, SelftestOptions } from '../engine/api.ts';
import { toErrorData } from '../shared/errors.ts';
import { createEngineClient, type EngineClient } from '../worker/client.ts';
import { useStore } from './store.ts';

let client: EngineClient | null = null;
let makeClient: () => EngineClient = createEngineClient;

/** The engine client, started on first use. */
export function engine(): EngineClient {
  client ??= makeClient();
  return client;
}

/** Replaces how the engine client is made (tests inject a fake); stops the current one. */
export function setEngineClientFactory(factory: () => EngineClient): void {
  client?.terminate();
  client = null;
  makeClient = factory;
}

/** Asks the engine for its adapter once; a failed attempt may be retried by calling again. */
export async function loadAdapter(): Promise<void> {
  const state = useStore.getState();
  if (state.adapter.status === 'loading' || state.adapter.status === 'ready') return;
  const missing = webGpuMissing();
  if (missing) {
    state.adapterFailed(missing);
    return;
  }
  state.adapterLoading();
  try {
    const info = await engine().info();
    useStore.getState().adapterReady(info);
  } catch (e) {
    useStore.getState().adapterFailed(toErrorData(e));
  }
}

/** Runs every kernel against its reference in the worker; rows land in the store as they finish. */
export async function runSelftest(options: SelftestOptions = {}): Promise<void> {
  const state = useStore.getState();
  if (state.selftest.running) return;
  state.selftestStarted();
  try {
    const report = await engine().selftest(options, (row, index, total) => {
      useStore.getState().selftestRow(row, index, total);
    });
    useStore.getState().selftestFinished(report.kernels);
  } catch (e) {
    useStore.getState().selftestFailed(toErrorData(e));
  }
}

/** Stops the worker (tests, or before a reload of the engine). The next action starts a new one. */
export function stopEngine(): void {
  client?.terminate();
  client = null;
}

/** A quick check on the page's own thread: without `navigator.gpu` there is no point starting the
 *  worker (both threads get WebGPU from the same switch). The engine stays the authority: with
 *  `navigator.gpu` present, it may still find no adapter. Outside a browser, the engine decides. */
export function webGpuMissing(): ErrorData | null {
  if (typeof navigator === 'undefined' || navigator.gpu) return null;
  const insecure = globalThis.isSecureContext === false;
  return {
    name: 'StepwiseError',
    code: 'no-webgpu',
    message: 'WebGPU is not available in this browser (navigator.gpu is missing)',
    hint: insecure
      ? 'this page is not on a secure origin: open it over https, or from localhost / 127.0.0.1'
      : 'use a recent Chrome or Edge (or Chromium with --enable-unsafe-webgpu) on a secure origin',
  };
}
