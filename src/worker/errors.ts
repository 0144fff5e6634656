// Errors across the worker boundary. Comlink's built-in "throw" handler keeps only name, message
// and stack, so a StepwiseError would arrive as a plain Error without its `code` and `hint`. This
// replaces that handler with one that sends `toErrorData(e)` and rethrows `fromErrorData(d)`: any
// thrown value comes out on the other side as a StepwiseError (code 'internal' for foreign errors).
// Both sides must register it (the worker to serialise, the client to deserialise).

import * as Comlink from 'comlink';
import { fromErrorData, toErrorData, type ErrorData } from '../shared/errors.ts';

interface Thrown {
  value: unknown;
}

let registered = false;

export function registerErrorTransfer(): void {
  if (registered) return;
  const builtin = Comlink.transferHandlers.get('throw');
  if (!builtin) throw new Error('comlink has no "throw" transfer handler to replace');
  // Comlink marks a thrown value with a private symbol; its own `canHandle` is the only way to see it.
  const handler: Comlink.TransferHandler<Thrown, ErrorData> = {
    canHandle: (value): value is Thrown => builtin.canHandle(value),
    serialize: ({ value }) => [toErrorData(value), []],
    deserialize: (data) => {
      throw fromErrorData(data);
    },
  };
  Comlink.transferHandlers.set('throw', handler as Comlink.TransferHandler<unknown, unknown>);
  registered = true;
}
