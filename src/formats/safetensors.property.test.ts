// Property tests: whatever the bytes, opening a safetensors file and reading all of its tensors either
// works (and then every tensor has as many values as its shape says) or throws a typed file error —
// never a TypeError, RangeError or hang.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesSource } from './byteSource.ts';
import { byteMutations, jsonMutations, mutateBytes, mutateJson, nastyJson } from './fuzz.ts';
import { openSafetensors } from './safetensors.ts';
import { encodeSafetensors, writeSafetensors } from './safetensorsWriter.ts';
import { isFileError } from './testing.ts';

const RUNS = 2500;
const settings = { numRuns: RUNS, timeout: 2000, seed: 20240607 };

const valid = writeSafetensors(
  {
    'wte.weight': { dtype: 'F16', shape: [4, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
    'ln.weight': { dtype: 'BF16', shape: [3], data: [1, -1, 0.5] },
    'h.0.w': { dtype: 'F32', shape: [2, 2], data: [0.1, 0.2, 0.3, 0.4] },
    ids: { dtype: 'I32', shape: [2], data: [7, -7] },
    scalar: { dtype: 'F32', shape: [], data: [3] },
  },
  { format: 'pt' },
);
const headerLength = new DataView(valid.buffer).getUint32(0, true);
const validHeader = JSON.parse(new TextDecoder().decode(valid.subarray(8, 8 + headerLength))) as unknown;
const validData = valid.slice(8 + headerLength);

/** Opens and reads everything; returns 'ok' or rethrows anything that is not a typed file error. */
async function readAll(bytes: Uint8Array): Promise<'ok' | 'rejected'> {
  try {
    const f = await openSafetensors(bytesSource('model.safetensors', bytes));
    for (const name of f.names()) {
      const t = await f.readTensor(name);
      const numel = t.shape.reduce((a, b) => a * b, 1);
      if (t.data.length !== numel) throw new Error(`tensor ${name}: ${t.data.length} values for shape ${t.shape}`);
    }
    return 'ok';
  } catch (e) {
    if (isFileError(e)) return 'rejected';
    throw e;
  }
}

describe('safetensors parser properties', () => {
  it('the valid base file reads', async () => {
    expect(await readAll(valid)).toBe('ok');
  });

  it('random bytes: only typed errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (b) => void (await readAll(b))),
      settings,
    );
  });

  it('random bytes behind a plausible header length: only typed errors', async () => {
    const arb = fc.tuple(fc.integer({ min: 0, max: 400 }), fc.uint8Array({ maxLength: 400 })).map(([n, rest]) => {
      const out = new Uint8Array(8 + rest.byteLength);
      new DataView(out.buffer).setUint32(0, n, true);
      out.set(rest, 8);
      return out;
    });
    await fc.assert(
      fc.asyncProperty(arb, async (b) => void (await readAll(b))),
      settings,
    );
  });

  it('random JSON headers: only typed errors', async () => {
    const arb = fc.tuple(
      fc.dictionary(fc.string({ maxLength: 6 }), nastyJson, { maxKeys: 4 }),
      fc.uint8Array({ maxLength: 64 }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([h, data]) => void (await readAll(encodeSafetensors(h, data)))),
      settings,
    );
  });

  it('byte mutations of a valid file (flip, truncate, splice): only typed errors', async () => {
    await fc.assert(
      fc.asyncProperty(byteMutations, async (m) => void (await readAll(mutateBytes(valid, m)))),
      settings,
    );
  });

  it('JSON mutations of a valid header (changed values, deleted or renamed keys): only typed errors', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(jsonMutations, fc.boolean(), async (m, trimData) => {
        const data = trimData ? validData.subarray(0, validData.byteLength - 4) : validData;
        if ((await readAll(encodeSafetensors(mutateJson(validHeader, m), data))) === 'ok') accepted++;
      }),
      settings,
    );
    expect(accepted).toBeGreaterThan(0); // some mutations (metadata renames, …) leave a valid file
  });

  it('round trip: random tensors written then read back are equal', async () => {
    const tensor = fc
      .tuple(
        fc.constantFrom('F32' as const, 'I32' as const),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      )
      .chain(([dtype, shape]) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const values = dtype === 'F32' ? fc.float({ noNaN: true }) : fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
        return fc.array(values, { minLength: n, maxLength: n }).map((data) => ({ dtype, shape, data }));
      });
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tensor, { maxKeys: 5 }),
        async (tensors) => {
          const f = await openSafetensors(bytesSource('x.safetensors', writeSafetensors(tensors)));
          for (const [name, t] of Object.entries(tensors)) {
            const back = await f.readTensor(name);
            expect(back.shape).toEqual(t.shape);
            expect(Array.from(back.data)).toEqual(t.data.map((x) => (Object.is(x, -0) ? -0 : x)));
          }
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
