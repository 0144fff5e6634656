// The worker boundary, exercised over a MessageChannel in Node: errors keep their code and hint,
// callbacks travel as proxies, and typed arrays in arguments are found for transfer.

import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { StepwiseError } from '../shared/errors.ts';
import { collectBuffers, moved } from './client.ts';
import { registerErrorTransfer } from './errors.ts';

interface Api {
  failTyped(): Promise<void>;
  failPlain(): Promise<void>;
  failString(): Promise<void>;
  count(n: number, onTick: (i: number) => void): Promise<number>;
  sum(data: { values: Float32Array }): Promise<number>;
}

const ports: MessagePort[] = [];

function connect(): Comlink.Remote<Api> {
  registerErrorTransfer();
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const api: Api = {
    failTyped: async () => {
      throw new StepwiseError('bad-file', 'model.safetensors: header is truncated', 'download the file again');
    },
    failPlain: async () => {
      throw new TypeError('x is not a function');
    },
    failString: async () => {
      throw 'just a string';
    },
    count: async (n, onTick) => {
      for (let i = 0; i < n; i++) await onTick(i);
      return n;
    },
    sum: async ({ values }) => values.reduce((a, b) => a + b, 0),
  };
  Comlink.expose(api, port1);
  return Comlink.wrap<Api>(port2);
}

afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

describe('errors across the worker boundary', () => {
  it('keeps a StepwiseError’s code, message and hint', async () => {
    const remote = connect();
    const err = await remote.failTyped().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepwiseError);
    expect(err).toMatchObject({
      code: 'bad-file',
      message: 'model.safetensors: header is truncated',
      hint: 'download the file again',
    });
  });

  it('turns a foreign error into an internal StepwiseError with the same message', async () => {
    const remote = connect();
    const err = await remote.failPlain().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepwiseError);
    expect(err).toMatchObject({ code: 'internal', message: 'x is not a function' });
    const str = await remote.failString().catch((e: unknown) => e);
    expect(str).toMatchObject({ code: 'internal', message: 'just a string' });
  });

  it('registers once, however often it is called', () => {
    registerErrorTransfer();
    const handler = Comlink.transferHandlers.get('throw');
    registerErrorTransfer();
    expect(Comlink.transferHandlers.get('throw')).toBe(handler);
  });

  it('calls a proxied progress callback on the other side', async () => {
    const remote = connect();
    const ticks: number[] = [];
    expect(
      await remote.count(
        3,
        Comlink.proxy((i: number) => void ticks.push(i)),
      ),
    ).toBe(3);
    expect(ticks).toEqual([0, 1, 2]);
  });
});

describe('transferring typed arrays', () => {
  it('finds buffers at the top level and inside plain objects and arrays', () => {
    const a = new Float32Array(4);
    const b = new Int32Array(2);
    const raw = new ArrayBuffer(8);
    const found = new Set<ArrayBuffer>();
    collectBuffers({ a, nested: { b }, list: [raw, 'text', 3] }, 2, found);
    expect([...found]).toEqual([a.buffer, b.buffer, raw]);
  });

  it('leaves out shared buffers, class instances and anything too deep', () => {
    const found = new Set<ArrayBuffer>();
    collectBuffers(new Int32Array(new SharedArrayBuffer(16)), 2, found);
    collectBuffers(new Map([['x', new Float32Array(1)]]), 2, found);
    collectBuffers({ a: { b: { c: new Float32Array(1) } } }, 2, found);
    expect(found.size).toBe(0);
  });

  it('moves marked arguments: the receiver gets the data, the sender’s copy is detached', async () => {
    const remote = connect();
    const values = new Float32Array([1, 2, 3.5]);
    expect(await remote.sum(moved({ values }))).toBe(6.5);
    expect(values.byteLength).toBe(0);
    const kept = new Float32Array([1, 2]);
    expect(await remote.sum({ values: kept })).toBe(3);
    expect(kept.byteLength).toBe(8);
  });

  it('returns values without buffers unchanged', () => {
    const options = { seed: 3 };
    expect(moved(options)).toBe(options);
    expect(moved(undefined)).toBeUndefined();
  });
});
