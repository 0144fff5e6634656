// Typed errors shared by every layer. Each carries a stable `code`, a message that names the thing at
// fault, and a `hint` that says what to do. They are plain data underneath, so they survive the
// worker boundary (see `toErrorData` / `fromErrorData`) and the CLI can map them to exit codes.

export type ErrorCode =
  | 'bad-input' // a setting, argument or value the user gave is invalid (CLI exit 2)
  | 'bad-file' // a model file is malformed or inconsistent (CLI exit 2)
  | 'not-found' // a model, file or URL does not exist (CLI exit 2)
  | 'network' // a download failed: CORS, HTTP error, no Range support … (CLI exit 2)
  | 'no-webgpu' // no WebGPU adapter could be obtained (CLI exit 2)
  | 'gpu' // the GPU rejected something: validation, out-of-memory (CLI exit 1)
  | 'device-lost' // the GPU device was lost while in use (CLI exit 1)
  | 'non-finite' // the model produced NaN or infinite logits: damaged weights or an overflowing setting (CLI exit 2)
  | 'cancelled' // the user cancelled a run or a download
  | 'internal'; // a bug in Stepwise (CLI exit 1)

export interface ErrorData {
  name: string;
  code: ErrorCode;
  message: string;
  hint?: string;
  stack?: string;
}

export class StepwiseError extends Error {
  override name = 'StepwiseError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }

  /** One line for people: the message, then the hint when there is one. */
  get line(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

/** Shorthand for the most common error: bad input named by the caller. */
export function badInput(message: string, hint?: string): StepwiseError {
  return new StepwiseError('bad-input', message, hint);
}

export function isStepwiseError(e: unknown): e is StepwiseError {
  return e instanceof StepwiseError;
}

/** Whether this error is the user's to fix (exit 2 in the CLI) rather than ours (exit 1). */
export function isUserError(e: unknown): boolean {
  return (
    isStepwiseError(e) &&
    (e.code === 'bad-input' ||
      e.code === 'bad-file' ||
      e.code === 'not-found' ||
      e.code === 'network' ||
      e.code === 'no-webgpu' ||
      e.code === 'non-finite')
  );
}

export function toErrorData(e: unknown): ErrorData {
  if (isStepwiseError(e)) {
    return { name: e.name, code: e.code, message: e.message, hint: e.hint, stack: e.stack };
  }
  if (e instanceof Error) return { name: e.name, code: 'internal', message: e.message, stack: e.stack };
  return { name: 'Error', code: 'internal', message: String(e) };
}

export function fromErrorData(d: ErrorData): StepwiseError {
  const e = new StepwiseError(d.code, d.message, d.hint);
  if (d.stack) e.stack = d.stack;
  return e;
}
