// The store's actions against a fake engine client: the adapter's states, the self-test filling in
// row by row, and the quick main-thread check for a missing navigator.gpu.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineInfo, SelftestOptions, SelftestProgress, SelftestReport, SelftestRow } from '../engine/api.ts';
import { StepwiseError } from '../shared/errors.ts';
import type { EngineClient } from '../worker/client.ts';
import { loadAdapter, runSelftest, setEngineClientFactory, useStore, webGpuMissing } from './index.ts';

const INFO: EngineInfo = {
  adapter: {
    vendor: 'google',
    architecture: 'swiftshader',
    device: '',
    description: '',
    isFallbackAdapter: true,
    adapterClass: 'cpu',
    features: ['subgroups', 'timestamp-query'],
    limits: {
      maxBufferSize: 1 << 30,
      maxStorageBufferBindingSize: 1 << 30,
      maxStorageBuffersPerShaderStage: 10,
      maxComputeWorkgroupStorageSize: 32768,
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupSizeX: 256,
      maxComputeWorkgroupsPerDimension: 65535,
    },
  },
  timingSource: 'timestamp',
  variants: {},
};

function row(name: string, pass = true): SelftestRow {
  return { name, pass, maxAbsErr: 1e-7, tolerance: 1e-4, ms: 1, shape: 'n=4' };
}

/** A client whose unlisted methods reject, so the fake need not follow every change of EngineApi. */
function fakeClient(overrides: Partial<EngineClient> = {}): EngineClient {
  const methods: Partial<EngineClient> = {
    info: async () => INFO,
    selftest: async () => ({ adapter: INFO.adapter, kernels: [] }),
    dispose: async () => {},
    terminate: () => {},
    ...overrides,
  };
  return new Proxy(methods, {
    get: (target, prop) =>
      target[prop as keyof EngineClient] ??
      (() => Promise.reject(new Error(`fake engine client: ${String(prop)} is not faked`))),
  }) as EngineClient;
}

beforeEach(() => {
  useStore.setState(useStore.getInitialState(), true);
  // A browser with WebGPU, as far as the page's own quick check can tell (Node 21+ has a navigator).
  vi.stubGlobal('navigator', { gpu: {} });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('loadAdapter', () => {
  it('goes loading → ready, and opens the engine only once', async () => {
    const factory = vi.fn(() => fakeClient());
    setEngineClientFactory(factory);
    const pending = loadAdapter();
    expect(useStore.getState().adapter.status).toBe('loading');
    await pending;
    expect(useStore.getState().adapter).toEqual({ status: 'ready', info: INFO, error: null });
    await loadAdapter();
    expect(factory).toHaveBeenCalledTimes(1);
  });

  it('marks a missing WebGPU as unavailable, keeping the error’s words', async () => {
    const err = new StepwiseError('no-webgpu', 'no WebGPU adapter was found', 'enable hardware acceleration');
    setEngineClientFactory(() => fakeClient({ info: () => Promise.reject(err) }));
    await loadAdapter();
    const { adapter } = useStore.getState();
    expect(adapter.status).toBe('unavailable');
    expect(adapter.error).toMatchObject({ code: 'no-webgpu', message: err.message, hint: err.hint });
  });

  it('marks any other failure as an error, and can retry', async () => {
    let calls = 0;
    setEngineClientFactory(() =>
      fakeClient({
        info: async () => {
          if (calls++ === 0) throw new StepwiseError('internal', 'the engine worker stopped: boom');
          return INFO;
        },
      }),
    );
    await loadAdapter();
    expect(useStore.getState().adapter.status).toBe('error');
    expect(useStore.getState().adapter.error?.message).toBe('the engine worker stopped: boom');
    await loadAdapter();
    expect(useStore.getState().adapter.status).toBe('ready');
  });

  it('does not start the engine when the page has no navigator.gpu', async () => {
    vi.stubGlobal('navigator', {});
    const factory = vi.fn(() => fakeClient());
    setEngineClientFactory(factory);
    await loadAdapter();
    expect(useStore.getState().adapter.status).toBe('unavailable');
    expect(useStore.getState().adapter.error?.message).toContain('navigator.gpu is missing');
    expect(factory).not.toHaveBeenCalled();
  });
});

describe('webGpuMissing', () => {
  it('is silent outside a browser and when navigator.gpu exists', () => {
    vi.stubGlobal('navigator', undefined);
    expect(webGpuMissing()).toBeNull();
    vi.stubGlobal('navigator', { gpu: {} });
    expect(webGpuMissing()).toBeNull();
  });

  it('names an insecure origin as the likely cause', () => {
    vi.stubGlobal('navigator', {});
    vi.stubGlobal('isSecureContext', false);
    expect(webGpuMissing()?.hint).toMatch(/secure origin/);
  });
});

describe('runSelftest', () => {
  it('fills rows as they arrive, then records the full report', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const rows = [row('add'), row('mul', false)];
    setEngineClientFactory(() =>
      fakeClient({
        selftest: async (_o?: SelftestOptions, onProgress?: SelftestProgress): Promise<SelftestReport> => {
          onProgress?.(rows[0], 0, 2);
          await gate;
          onProgress?.(rows[1], 1, 2);
          return { adapter: INFO.adapter, kernels: rows };
        },
      }),
    );
    const run = runSelftest();
    await Promise.resolve();
    let s = useStore.getState().selftest;
    expect(s.running).toBe(true);
    expect(s.rows).toEqual([rows[0]]);
    expect(s.progress).toEqual({ done: 1, total: 2 });
    release();
    await run;
    s = useStore.getState().selftest;
    expect(s).toMatchObject({ running: false, finished: true, rows, progress: { done: 2, total: 2 }, error: null });
  });

  it('ignores progress that lands after the run finished', async () => {
    setEngineClientFactory(() =>
      fakeClient({ selftest: async () => ({ adapter: INFO.adapter, kernels: [row('a')] }) }),
    );
    await runSelftest();
    useStore.getState().selftestRow(row('late'), 3, 4);
    expect(useStore.getState().selftest.rows).toEqual([row('a')]);
  });

  it('records an error and stops running', async () => {
    setEngineClientFactory(() =>
      fakeClient({ selftest: () => Promise.reject(new StepwiseError('device-lost', 'the GPU device was lost')) }),
    );
    await runSelftest();
    expect(useStore.getState().selftest).toMatchObject({ running: false, finished: false });
    expect(useStore.getState().selftest.error).toMatchObject({ code: 'device-lost' });
  });
});
