// safetensors: every malformed-file case gives a bad-file error naming the file and the problem;
// valid files read back exactly, lazily, with NaN / Inf counted.

import { describe, expect, it } from 'vitest';
import { blobSource, bytesSource, type ByteSource } from './byteSource.ts';
import { CheckpointReader } from './checkpoint.ts';
import { MAX_HEADER_BYTES } from './safetensorsHeader.ts';
import { nonFiniteWarning, openSafetensors } from './safetensors.ts';
import { encodeSafetensors, writeSafetensors } from './safetensorsWriter.ts';
import { expectFileError } from './testing.ts';

const FILE = 'model.safetensors';
const open = (bytes: Uint8Array, name = FILE) => openSafetensors(bytesSource(name, bytes));

/** A file with one F32 tensor "w" of shape [2, 2] unless the entry is overridden. */
function oneTensor(entry: Record<string, unknown>, dataBytes = 16): Uint8Array {
  return encodeSafetensors(
    { w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16], ...entry } },
    new Uint8Array(dataBytes),
  );
}

/** Raw file: 8-byte length (lo, hi) then the given header bytes and data. */
function raw(lengthLo: number, lengthHi: number, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + rest.byteLength);
  const v = new DataView(out.buffer);
  v.setUint32(0, lengthLo, true);
  v.setUint32(4, lengthHi, true);
  out.set(rest, 8);
  return out;
}

const bad = (bytes: Uint8Array, problem: RegExp) => expectFileError(() => open(bytes), 'bad-file', FILE, problem);

describe('safetensors: file and header length', () => {
  it('rejects an empty file', () => bad(new Uint8Array(0), /0 bytes, too short/));
  it('rejects a 7-byte file', () => bad(new Uint8Array(7), /7 bytes, too short/));
  it('rejects a header length larger than the file', () =>
    bad(raw(100, 0, new TextEncoder().encode('{}')), /header length 100 bytes is larger than the file \(10 bytes\)/));
  it('rejects an absurdly large header length (beyond the cap)', () =>
    bad(raw(MAX_HEADER_BYTES + 1, 0, new Uint8Array(16)), /absurdly large/));
  it('rejects an absurdly large header length (high word set)', () =>
    bad(raw(0, 0xffffffff, new Uint8Array(16)), /absurdly large/));
  it('rejects a zero header length', () => bad(raw(0, 0, new Uint8Array(4)), /too small to hold a JSON object/));
  it('never allocates from the claimed length: a 2^40-byte claim fails fast', () =>
    bad(raw(0, 256, new Uint8Array(8)), /absurdly large/));
});

describe('safetensors: header JSON', () => {
  it('rejects a header that is not UTF-8', () =>
    bad(raw(4, 0, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /header is not valid UTF-8/));
  it('rejects a header that is not JSON', () =>
    bad(encodeSafetensors(null, new Uint8Array(0), '{"w": {"dtype": '), /header is not valid JSON/));
  for (const [what, text] of [
    ['an array', '[1, 2]'],
    ['a number', '42'],
    ['null', 'null'],
    ['a string', '"hello"'],
  ]) {
    it(`rejects a header that is ${what}, not an object`, () =>
      bad(encodeSafetensors(null, new Uint8Array(0), text), /header must be a JSON object/));
  }
  it('rejects an entry that is not an object', () =>
    bad(encodeSafetensors({ w: [1, 2] }, new Uint8Array(0)), /tensor "w" must be an object/));
  it('rejects __metadata__ that is not an object', () =>
    bad(encodeSafetensors({ __metadata__: 'pt' }, new Uint8Array(0)), /"__metadata__" must be an object of strings/));
  it('rejects __metadata__ values that are not strings', () =>
    bad(
      encodeSafetensors({ __metadata__: { format: 'pt', step: 3 } }, new Uint8Array(0)),
      /"__metadata__" value "step" must be a string, got 3/,
    ));
  it('accepts __metadata__: null and an empty header', async () => {
    const f = await open(encodeSafetensors({ __metadata__: null }, new Uint8Array(0)));
    expect(f.header.metadata).toEqual({});
    expect(f.names()).toEqual([]);
  });
});

describe('safetensors: dtype', () => {
  it('rejects an unknown dtype, listing the supported ones', () =>
    bad(oneTensor({ dtype: 'Q4' }), /tensor "w" has unknown dtype "Q4" \(a string\) \(supported: F32, F16, BF16/));
  it('rejects a safetensors dtype Stepwise does not read', () =>
    bad(oneTensor({ dtype: 'U16', shape: [8] }), /dtype U16, which Stepwise does not support/));
  it('rejects a missing dtype', () => bad(oneTensor({ dtype: undefined }), /tensor "w" has no "dtype"/));
  it('rejects a dtype that is not a string', () => bad(oneTensor({ dtype: 4 }), /unknown dtype 4/));
});

describe('safetensors: shape', () => {
  it('rejects a shape that is not an array', () => bad(oneTensor({ shape: '2x2' }), /needs "shape" as an array/));
  it('rejects a negative dimension', () =>
    bad(oneTensor({ shape: [-2, -2] }), /dimension -2 is not a non-negative integer/));
  it('rejects a non-integer dimension', () =>
    bad(oneTensor({ shape: [2.5, 2] }), /dimension 2.5 is not a non-negative integer/));
  it('rejects a string dimension', () =>
    bad(oneTensor({ shape: ['2', 2] }), /dimension "2" \(a string\) is not a non-negative integer/));
  it('rejects a dimension beyond 2^53', () =>
    bad(oneTensor({ shape: [1e300] }), /dimension 1e\+300 is not a non-negative integer/));
  it('rejects gigantic dimensions whose product overflows', () =>
    bad(
      oneTensor({ shape: [2 ** 30, 2 ** 30, 2 ** 30] }),
      /more elements than can be counted \(gigantic dimensions\)/,
    ));
  it('rejects a large shape that does not match the data (never allocating it)', () =>
    bad(
      oneTensor({ shape: [2 ** 20, 2 ** 20] }),
      /shape \[1048576,1048576\] of F32 needs 4398046511104 bytes but data_offsets \[0, 16\] span 16/,
    ));
  it('rejects shape × dtype size not matching the span', () =>
    bad(oneTensor({ shape: [2, 3] }), /shape \[2,3\] of F32 needs 24 bytes but data_offsets \[0, 16\] span 16/));
  it('rejects a dtype whose size does not match the span', () =>
    bad(oneTensor({ dtype: 'F16' }), /of F16 needs 8 bytes but data_offsets \[0, 16\] span 16/));
});

describe('safetensors: data_offsets', () => {
  it('rejects missing offsets', () =>
    bad(oneTensor({ data_offsets: undefined }), /needs "data_offsets" as \[begin, end\], got nothing/));
  it('rejects offsets that are not a pair', () =>
    bad(oneTensor({ data_offsets: [0, 8, 16] }), /needs "data_offsets" as \[begin, end\]/));
  it('rejects reversed offsets', () =>
    bad(oneTensor({ data_offsets: [16, 0] }), /data_offsets \[16, 0\] reversed \(begin > end\)/));
  it('rejects non-integer offsets', () =>
    bad(oneTensor({ data_offsets: [0, 15.5] }), /data_offsets \[0,15.5\]: 15.5 is not a non-negative integer/));
  it('rejects negative offsets', () => bad(oneTensor({ data_offsets: [-16, 0] }), /-16 is not a non-negative integer/));
  it('rejects offsets past the end of the data', () =>
    bad(oneTensor({ data_offsets: [8, 24] }), /data_offsets \[8, 24\] past the end of the data section \(16 bytes\)/));
  it('rejects a truncated file (data shorter than the offsets)', () =>
    bad(oneTensor({}, 12), /past the end of the data section \(12 bytes\)/));
  it('rejects overlapping tensors', () =>
    bad(
      encodeSafetensors(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        new Uint8Array(12),
      ),
      /tensors "a" \[0, 8\] and "b" \[4, 12\] overlap/,
    ));
  it('rejects two tensors on the very same bytes', () =>
    bad(
      encodeSafetensors(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'I32', shape: [2], data_offsets: [0, 8] },
        },
        new Uint8Array(8),
      ),
      /overlap/,
    ));
  it('accepts empty tensors anywhere, scalars, gaps and trailing bytes', async () => {
    const f = await open(
      encodeSafetensors(
        {
          s: { dtype: 'F32', shape: [], data_offsets: [0, 4] },
          e: { dtype: 'F32', shape: [0, 7], data_offsets: [2, 2] },
          t: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        },
        new Uint8Array([0, 0, 0x80, 0x3f, 9, 9, 9, 9, 0, 0, 0, 0x40, 1, 2]),
      ),
    );
    expect(Array.from((await f.readTensor('s')).data)).toEqual([1]);
    expect((await f.readTensor('e')).data.length).toBe(0);
    expect(Array.from((await f.readTensor('t')).data)).toEqual([2]);
  });
});

describe('safetensors: reading tensors', () => {
  it('round-trips F32, F16, BF16 and I32 through the writer', async () => {
    const values = [0, -0, 1.5, -2.25, 65504, 1e-7, 3.140625];
    const bytes = writeSafetensors(
      {
        f32: { dtype: 'F32', shape: [7], data: values },
        f16: { dtype: 'F16', shape: [7], data: values },
        bf16: { dtype: 'BF16', shape: [7], data: values },
        i32: { dtype: 'I32', shape: [2, 2], data: [1, -2, 2147483647, -2147483648] },
      },
      { format: 'pt' },
    );
    expect(new DataView(bytes.buffer).getUint32(0, true) % 8).toBe(0); // header padded to 8 bytes
    const f = await open(bytes);
    expect(f.header.metadata).toEqual({ format: 'pt' });
    expect(f.names()).toEqual(['f32', 'f16', 'bf16', 'i32']);
    const f32 = await f.readTensor('f32');
    expect(f32.data).toBeInstanceOf(Float32Array);
    expect(Array.from(f32.data)).toEqual(Array.from(Float32Array.from(values)));
    const f16 = await f.readTensor('f16');
    expect(Array.from(f16.data)).toEqual([0, -0, 1.5, -2.25, 65504, 1.1920928955078125e-7, 3.140625]);
    expect(Object.is(f16.data[1], -0)).toBe(true);
    const bf16 = await f.readTensor('bf16');
    expect(bf16.data[3]).toBe(-2.25);
    expect(bf16.data[4]).toBe(65536); // 65504 rounds to 2^16 in bf16
    const i32 = await f.readTensor('i32');
    expect(i32.data).toBeInstanceOf(Int32Array);
    expect(i32.shape).toEqual([2, 2]);
    expect(Array.from(i32.data)).toEqual([1, -2, 2147483647, -2147483648]);
  });

  it('reads I8, U8, BOOL, I64 and F64', async () => {
    const data = new Uint8Array(2 + 2 + 2 + 16 + 8);
    const v = new DataView(data.buffer);
    data.set([0xff, 0x7f, 200, 1, 1, 0], 0);
    v.setBigInt64(6, -5n, true);
    v.setBigInt64(14, 2147483647n, true);
    v.setFloat64(22, 1e300, true);
    const f = await open(
      encodeSafetensors(
        {
          i8: { dtype: 'I8', shape: [2], data_offsets: [0, 2] },
          u8: { dtype: 'U8', shape: [2], data_offsets: [2, 4] },
          b: { dtype: 'BOOL', shape: [2], data_offsets: [4, 6] },
          i64: { dtype: 'I64', shape: [2], data_offsets: [6, 22] },
          f64: { dtype: 'F64', shape: [1], data_offsets: [22, 30] },
        },
        data,
      ),
    );
    expect(Array.from((await f.readTensor('i8')).data)).toEqual([-1, 127]);
    expect(Array.from((await f.readTensor('u8')).data)).toEqual([200, 1]);
    expect(Array.from((await f.readTensor('b')).data)).toEqual([1, 0]);
    const i64 = await f.readTensor('i64');
    expect(i64.data).toBeInstanceOf(Int32Array);
    expect(Array.from(i64.data)).toEqual([-5, 2147483647]);
    const f64 = await f.readTensor('f64');
    expect(f64.data[0]).toBe(Infinity); // narrowed to f32: counted as non-finite
    expect(f64.nonFinite).toBe(1);
  });

  it('rejects I64 values outside the int32 range', async () => {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setBigInt64(0, 2n ** 40n, true);
    const f = await open(encodeSafetensors({ pos: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data));
    await expectFileError(
      () => f.readTensor('pos'),
      'bad-file',
      FILE,
      /tensor "pos" \(I64\) holds 1099511627776, outside the int32 range/,
    );
  });

  it('copies F32 data from an unaligned header into an aligned array', async () => {
    // Header of 3 bytes ("{} ") would be padded by our writer, so build it by hand: data starts at 11.
    const file = raw(3, 0, new Uint8Array(3));
    file.set(new TextEncoder().encode('{ }'), 8);
    expect((await open(file)).header.dataOffset).toBe(11);
    const header = JSON.stringify({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    const h = new TextEncoder().encode(header);
    const bytes = new Uint8Array(8 + h.byteLength + 8);
    new DataView(bytes.buffer).setUint32(0, h.byteLength, true);
    bytes.set(h, 8);
    new DataView(bytes.buffer).setFloat32(8 + h.byteLength, 1.25, true);
    new DataView(bytes.buffer).setFloat32(12 + h.byteLength, -3, true);
    expect((8 + h.byteLength) % 4).not.toBe(0);
    const t = await (await open(bytes)).readTensor('w');
    expect(Array.from(t.data)).toEqual([1.25, -3]);
  });

  it('counts NaN and Inf in weights and reports them as a warning', async () => {
    const f = await open(
      writeSafetensors({
        w: { dtype: 'F16', shape: [4], data: [1, NaN, Infinity, -Infinity] },
        ok: { dtype: 'F32', shape: [1], data: [NaN] },
      }),
    );
    const t = await f.readTensor('w');
    expect(t.nonFinite).toBe(3);
    expect(nonFiniteWarning(FILE, t)).toMatch(/^model\.safetensors: tensor "w" has 3 NaN\/Inf values of 4/);
    const warnings: string[] = [];
    const reader = new CheckpointReader([f], undefined, { onWarning: (m) => warnings.push(m) });
    await reader.readTensor('w');
    await reader.readTensor('ok');
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/tensor "ok" has 1 NaN\/Inf value of 1/);
  });

  it('gives not-found for an unknown tensor name', async () => {
    const f = await open(oneTensor({}));
    await expectFileError(() => f.readTensor('nope'), 'not-found', FILE, /no tensor named "nope"/);
  });

  it('reads lazily: opening reads only the header, a tensor only its bytes', async () => {
    const bytes = writeSafetensors({
      a: { dtype: 'F32', shape: [1000], data: new Float32Array(1000) },
      b: { dtype: 'F32', shape: [3], data: [1, 2, 3] },
    });
    const reads: [number, number][] = [];
    const inner = bytesSource(FILE, bytes);
    const counting: ByteSource = {
      name: FILE,
      size: inner.size,
      read: (o, l) => (reads.push([o, l]), inner.read(o, l)),
    };
    const f = await openSafetensors(counting);
    expect(reads.length).toBe(2);
    expect(reads.reduce((s, [, l]) => s + l, 0)).toBe(f.header.dataOffset);
    reads.length = 0;
    expect(Array.from((await f.readTensor('b')).data)).toEqual([1, 2, 3]);
    expect(reads).toEqual([[f.header.dataOffset + 4000, 12]]);
  });

  it('reports a source that ends early (e.g. a truncated download)', async () => {
    const bytes = writeSafetensors({ w: { dtype: 'F32', shape: [4], data: [1, 2, 3, 4] } });
    const inner = bytesSource(FILE, bytes);
    const short: ByteSource = {
      name: FILE,
      size: bytes.byteLength,
      read: async (o, l) => (await inner.read(o, l)).subarray(0, l === 16 ? l - 1 : l),
    };
    const f = await openSafetensors(short);
    await expectFileError(
      () => f.readTensor('w'),
      'bad-file',
      FILE,
      /file ended early while reading tensor "w": got 15 of 16 bytes/,
    );
  });

  it('reads from a Blob', async () => {
    const bytes = writeSafetensors({ w: { dtype: 'BF16', shape: [2], data: [1, -1] } });
    const f = await openSafetensors(blobSource('x.safetensors', new Blob([bytes.slice()])));
    expect(Array.from((await f.readTensor('w')).data)).toEqual([1, -1]);
  });

  it('names the shard in messages', () =>
    expectFileError(
      () => open(new Uint8Array(3), 'model-00002-of-00003.safetensors'),
      'bad-file',
      'model-00002-of-00003.safetensors',
      /too short/,
    ));
});

describe('writeSafetensors', () => {
  it('rejects data that does not match the shape', () => {
    expect(() => writeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: [1, 2, 3] } })).toThrow(
      /shape \[2, 2\] but 3 values/,
    );
  });
});

describe('sources that are views into larger buffers', () => {
  it('reads F32, F16 and I32 tensors from a Node Buffer at an odd offset without seeing outside it', async () => {
    const { writeSafetensors } = await import('./safetensorsWriter.ts');
    const { openSafetensors } = await import('./safetensors.ts');
    const { bytesSource } = await import('./byteSource.ts');
    const file = writeSafetensors({
      a: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) },
      h: { dtype: 'F16', shape: [2], data: new Float32Array([0.5, -2]) },
      i: { dtype: 'I32', shape: [2], data: new Int32Array([7, -8]) },
    });
    // A Buffer whose bytes sit at offset 3 of a larger, non-zero ArrayBuffer (as Node pools small files).
    const big = Buffer.alloc(file.length + 16, 0xff);
    big.set(file, 3);
    const view = big.subarray(3, 3 + file.length);
    const f = await openSafetensors(bytesSource('model.safetensors', view));
    expect([...((await f.readTensor('a')).data as Float32Array)]).toEqual([1, 2, 3]);
    expect([...((await f.readTensor('h')).data as Float32Array)]).toEqual([0.5, -2]);
    expect([...((await f.readTensor('i')).data as Int32Array)]).toEqual([7, -8]);
  });
});
