// Typed field readers for config.json: each reads one field of a JSON object and throws bad-file
// naming the file and the field ("config.json: field "n_head" must be a positive integer, got "12"
// (a string)") when it is missing or of the wrong type or range. Absent and null both mean "not given"
// for optional fields, as in Hugging Face configs.

import { badFile, describeValue } from './fileErrors.ts';
import { isJsonObject, own } from './json.ts';

/** Largest layer count / width / vocabulary we accept: sizes become u32 kernel parameters. */
export const MAX_DIM = 2 ** 31 - 1;

export class ConfigFields {
  /**
   * @param file the file name for messages ("config.json")
   * @param obj the JSON object being read
   * @param prefix the path of `obj` inside the file ("stepwise."), for messages
   */
  constructor(
    readonly file: string,
    readonly obj: Record<string, unknown>,
    readonly prefix = '',
  ) {}

  /** Throws a bad-file error about `field`. */
  fail(field: string, problem: string, hint?: string): never {
    throw badFile(this.file, `field "${this.prefix}${field}" ${problem}`, hint);
  }

  has(field: string): boolean {
    const v = own(this.obj, field);
    return v !== undefined && v !== null;
  }

  get(field: string): unknown {
    return own(this.obj, field);
  }

  private required(field: string): unknown {
    const v = own(this.obj, field);
    if (v === undefined || v === null) this.fail(field, `is required but ${v === null ? 'null' : 'missing'}`);
    return v;
  }

  /** A required integer in [1, MAX_DIM]. */
  positiveInt(field: string): number {
    return this.checkInt(field, this.required(field), 1);
  }

  /** An optional integer in [1, MAX_DIM]; `fallback` when absent or null. */
  optPositiveInt(field: string, fallback: number): number;
  optPositiveInt(field: string): number | undefined;
  optPositiveInt(field: string, fallback?: number): number | undefined {
    return this.has(field) ? this.checkInt(field, this.get(field), 1) : fallback;
  }

  /** An optional integer in [min, max]. */
  optInt(field: string, min: number, max: number): number | undefined {
    return this.has(field) ? this.checkInt(field, this.get(field), min, max) : undefined;
  }

  private checkInt(field: string, v: unknown, min: number, max = MAX_DIM): number {
    const what = min === 1 && max === MAX_DIM ? 'a positive integer' : `an integer in [${min}, ${max}]`;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(field, `must be ${what}, got ${describeValue(v)}`);
    if (v < min || v > max) this.fail(field, `must be ${what}, got ${v}`);
    return v;
  }

  /** An optional finite number > 0 (epsilons, rope theta). */
  optPositiveNumber(field: string, fallback: number): number {
    if (!this.has(field)) return fallback;
    const v = this.get(field);
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      this.fail(field, `must be a positive number, got ${describeValue(v)}`);
    return v;
  }

  optBool(field: string, fallback: boolean): boolean {
    if (!this.has(field)) return fallback;
    const v = this.get(field);
    if (typeof v !== 'boolean') this.fail(field, `must be true or false, got ${describeValue(v)}`);
    return v;
  }

  optString(field: string): string | undefined {
    if (!this.has(field)) return undefined;
    const v = this.get(field);
    if (typeof v !== 'string') this.fail(field, `must be a string, got ${describeValue(v)}`);
    return v;
  }

  /** An optional string that must be one of `allowed` (first one when absent). */
  oneOf<T extends string>(field: string, allowed: readonly T[], what = 'value'): T {
    if (!this.has(field)) return allowed[0];
    const v = this.get(field);
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.fail(field, `${describeValue(v)} is not a supported ${what} (supported: ${allowed.join(', ')})`);
    }
    return v as T;
  }

  optStringArray(field: string): string[] | undefined {
    if (!this.has(field)) return undefined;
    const v = this.get(field);
    if (!Array.isArray(v)) this.fail(field, `must be an array of strings, got ${describeValue(v)}`);
    v.forEach((s, i) => {
      if (typeof s !== 'string') this.fail(field, `must be an array of strings, but item ${i} is ${describeValue(s)}`);
    });
    return v as string[];
  }

  /** Token ids: absent / null → [], an integer → [it], an array of integers → them (e.g. eos_token_id). */
  tokenIds(field: string, vocabSize: number): number[] {
    if (!this.has(field)) return [];
    const v = this.get(field);
    const list = Array.isArray(v) ? v : [v];
    for (const id of list) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabSize) {
        this.fail(field, `must be a token id in [0, ${vocabSize}) or a list of them, got ${describeValue(id)}`);
      }
    }
    return list as number[];
  }

  /** A nested object field, read with its own ConfigFields (undefined when absent or null). */
  optObject(field: string): ConfigFields | undefined {
    if (!this.has(field)) return undefined;
    const v = this.get(field);
    if (!isJsonObject(v)) this.fail(field, `must be an object, got ${describeValue(v)}`);
    return new ConfigFields(this.file, v, `${this.prefix}${field}.`);
  }

  /** Requires `a % b === 0`, naming both fields. */
  divides(numField: string, num: number, denField: string, den: number, hint?: string): void {
    if (num % den !== 0) {
      this.fail(numField, `(${num}) must be divisible by "${this.prefix}${denField}" (${den})`, hint);
    }
  }
}
