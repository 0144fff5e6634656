// The page's handle on the engine: starts the engine's Web Worker and wraps it with Comlink, so the
// store can call the same `EngineApi` that runs in-thread in Node. The main thread never runs a
// kernel. Every method of `EngineApi` is forwarded as it is, so the client needs no change when the
// interface grows.
//
// Crossing the boundary:
// - function arguments (progress callbacks) are passed as `Comlink.proxy(fn)`: the worker calls back
//   into the page;
// - typed arrays in arguments (top level, or one or two levels inside plain objects/arrays) are
//   transferred, not copied: the caller must not use them after the call. Results are copied (the
//   engine may keep what it returns, e.g. step snapshots);
// - errors keep their code and hint (errors.ts);
// - if the worker dies (fails to load, uncaught error), every call in flight and every later call
//   rejects with a StepwiseError instead of hanging.

import * as Comlink from 'comlink';
import type { EngineApi } from '../engine/api.ts';
import { StepwiseError } from '../shared/errors.ts';
import { registerErrorTransfer } from './errors.ts';

export type EngineClient = EngineApi & {
  /** Stops the worker (and frees its GPU device). Calls in flight reject with code 'cancelled'. */
  terminate(): void;
};

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

export function createEngineClient(): EngineClient {
  registerErrorTransfer();
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'stepwise-engine' });
  const remote = Comlink.wrap<EngineApi>(worker) as unknown as Record<string, AnyMethod>;

  let failure: StepwiseError | null = null;
  const pending = new Set<(e: StepwiseError) => void>();
  const fail = (e: StepwiseError) => {
    if (failure) return;
    failure = e;
    worker.terminate();
    for (const reject of pending) reject(e);
    pending.clear();
  };
  worker.addEventListener('error', (ev) => {
    // An ErrorEvent for an uncaught exception; a plain Event when the script failed to load.
    const detail = (ev as Partial<ErrorEvent>).message || 'its script could not be loaded';
    fail(
      new StepwiseError(
        'internal',
        `the engine worker stopped: ${detail}`,
        'reload the page; if it happens again, the browser console has details',
      ),
    );
  });
  worker.addEventListener('messageerror', () => {
    fail(new StepwiseError('internal', 'the engine worker sent a message that could not be read', 'reload the page'));
  });

  /** Runs one remote call, rejecting early if the worker dies meanwhile. */
  function call(method: string, args: unknown[]): Promise<unknown> {
    if (failure) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      pending.add(reject);
      remote[method](...args.map(prepareArgument))
        .then(resolve, reject)
        .finally(() => pending.delete(reject));
    });
  }

  const terminate = () => fail(new StepwiseError('cancelled', 'the engine was shut down'));
  const methods = new Map<string, AnyMethod>();
  return new Proxy({} as EngineClient, {
    get(_target, prop) {
      if (prop === 'terminate') return terminate;
      // Not a thenable, not a symbol-keyed protocol: only named methods go to the worker.
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      let method = methods.get(prop);
      if (!method) {
        method = (...args: unknown[]) => call(prop, args);
        methods.set(prop, method);
      }
      return method;
    },
  });
}

/** How one argument crosses: functions as proxies, typed arrays transferred, the rest cloned. */
function prepareArgument(arg: unknown): unknown {
  if (typeof arg === 'function') return Comlink.proxy(arg);
  return moved(arg);
}

/** Marks the typed arrays (and ArrayBuffers) inside `value` for transfer with the call. */
export function moved<T>(value: T): T {
  const buffers = new Set<ArrayBuffer>();
  collectBuffers(value, 2, buffers);
  return buffers.size > 0 ? Comlink.transfer(value, [...buffers]) : value;
}

/** The ArrayBuffers behind typed arrays in `value`, looking `depth` levels into plain objects and
 *  arrays. SharedArrayBuffers are shared, not transferred, so they are left out. */
export function collectBuffers(value: unknown, depth: number, into: Set<ArrayBuffer>): void {
  if (value instanceof ArrayBuffer) {
    into.add(value);
  } else if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) into.add(value.buffer);
  } else if (depth > 0 && typeof value === 'object' && value !== null) {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return; // class instances: leave alone
    for (const item of Object.values(value)) collectBuffers(item, depth - 1, into);
  }
}
