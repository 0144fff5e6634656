// The worker client against a stand-in Worker (a MessageChannel with a fake engine on the far side):
// calls are forwarded, callbacks proxied, typed arrays moved, and a dead worker fails calls rather
// than hanging them.

import * as Comlink from 'comlink';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SelftestProgress, SelftestRow } from '../engine/api.ts';
import { StepwiseError } from '../shared/errors.ts';
import { createEngineClient } from './client.ts';

const ROW: SelftestRow = { name: 'add', pass: true, maxAbsErr: 0, tolerance: 1e-4, ms: 1, shape: 'n=4' };

class FakeWorker extends EventTarget {
  static engine: object = {};
  static last: FakeWorker | null = null;
  terminated = false;
  private readonly port: MessagePort;
  private readonly far: MessagePort;

  constructor(
    readonly url: URL,
    readonly options: WorkerOptions,
  ) {
    super();
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(FakeWorker.engine, port2);
    port1.addEventListener('message', (e) => this.dispatchEvent(new MessageEvent('message', { data: e.data })));
    port1.start();
    this.port = port1;
    this.far = port2;
    FakeWorker.last = this;
  }

  postMessage(data: unknown, transfer: Transferable[] = []): void {
    if (!this.terminated) this.port.postMessage(data, transfer);
  }

  terminate(): void {
    this.terminated = true;
    this.port.close();
    this.far.close();
  }
}

let never: Promise<never>;

beforeEach(() => {
  never = new Promise<never>(() => {});
  FakeWorker.engine = {
    info: async () => ({ adapter: { architecture: 'fake' } }),
    selftest: async (_options: unknown, onProgress?: SelftestProgress) => {
      await onProgress?.(ROW, 0, 1);
      return { kernels: [ROW] };
    },
    sum: async ({ values }: { values: Float32Array }) => values.reduce((a, b) => a + b, 0),
    fail: async () => {
      throw new StepwiseError('not-found', 'no model called "nope"', 'pick one from the list');
    },
    hang: () => never,
  };
  vi.stubGlobal('Worker', FakeWorker);
});

afterEach(() => {
  FakeWorker.last?.terminate();
  vi.unstubAllGlobals();
});

describe('createEngineClient', () => {
  it('starts a module worker and forwards calls', async () => {
    const client = createEngineClient();
    expect(FakeWorker.last?.options).toMatchObject({ type: 'module' });
    expect(String(FakeWorker.last?.url)).toMatch(/worker\.ts$/);
    expect(await client.info()).toMatchObject({ adapter: { architecture: 'fake' } });
  });

  it('passes a progress callback as a proxy the worker can call', async () => {
    const client = createEngineClient();
    const seen: SelftestRow[] = [];
    const report = await client.selftest({}, (row) => void seen.push(row));
    expect(report.kernels).toEqual([ROW]);
    expect(seen).toEqual([ROW]);
  });

  it('moves typed arrays in arguments instead of copying them', async () => {
    const client = createEngineClient() as unknown as { sum(d: { values: Float32Array }): Promise<number> };
    const values = new Float32Array([1, 2, 3]);
    expect(await client.sum({ values })).toBe(6);
    expect(values.byteLength).toBe(0); // detached: it went to the worker
  });

  it('rethrows engine errors with their code and hint', async () => {
    const client = createEngineClient() as unknown as { fail(): Promise<void> };
    await expect(client.fail()).rejects.toMatchObject({ code: 'not-found', hint: 'pick one from the list' });
  });

  it('fails calls in flight, and later ones, when the worker dies', async () => {
    const client = createEngineClient() as unknown as { hang(): Promise<void>; info(): Promise<unknown> };
    const inFlight = client.hang();
    const event = Object.assign(new Event('error'), { message: 'Uncaught ReferenceError: x is not defined' });
    FakeWorker.last!.dispatchEvent(event);
    await expect(inFlight).rejects.toMatchObject({
      code: 'internal',
      message: 'the engine worker stopped: Uncaught ReferenceError: x is not defined',
    });
    await expect(client.info()).rejects.toMatchObject({ code: 'internal' });
    expect(FakeWorker.last!.terminated).toBe(true);
  });

  it('says so when the worker script cannot be loaded', async () => {
    const client = createEngineClient();
    const call = client.info();
    FakeWorker.last!.dispatchEvent(new Event('error'));
    await expect(call).rejects.toThrow('the engine worker stopped: its script could not be loaded');
  });

  it('terminate() stops the worker and cancels what is in flight', async () => {
    const client = createEngineClient();
    const inFlight = (client as unknown as { hang(): Promise<void> }).hang();
    client.terminate();
    await expect(inFlight).rejects.toMatchObject({ code: 'cancelled' });
    expect(FakeWorker.last!.terminated).toBe(true);
  });

  it('is not a thenable (awaiting the client itself does not call the worker)', async () => {
    const client = createEngineClient();
    expect((client as unknown as { then?: unknown }).then).toBeUndefined();
    expect(await client).toBe(client);
  });
});
