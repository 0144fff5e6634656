// The runtime itself on a real adapter: pooling, pipeline caching by constants, profiling, and
// device errors turned into typed errors.
import { describe, expect, it } from 'vitest';
import { isStepwiseError } from '../shared/errors.ts';
import { testGpu } from './testing.ts';

const FILL = `
struct Params { n: u32, value: f32, }
override SCALE: f32 = 1.0;
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < params.n) { out[gid.x] = params.value * SCALE; }
}`;

describe('Gpu runtime', () => {
  it('runs a kernel with reflected params and override constants, caching one pipeline per constant set', async () => {
    const gpu = await testGpu();
    const before = gpu.pipelines.size;
    const results: number[] = [];
    for (const scale of [1, 2, 2]) {
      const t = gpu.empty([100], 'f32', 'fill.out');
      gpu.run({
        label: 'fill',
        code: FILL,
        constants: { SCALE: scale },
        params: { n: 100, value: 3 },
        bindings: [t],
        workgroups: [2],
      });
      const host = await gpu.read(t);
      results.push(host[99]);
      t.release();
    }
    expect(results).toEqual([3, 6, 6]);
    expect(gpu.pipelines.size - before).toBe(2);
  });

  it('recycles released buffers of the same size', async () => {
    const gpu = await testGpu();
    const a = gpu.empty([1000], 'f32', 'a');
    const buffer = a.buffer;
    a.release();
    const b = gpu.empty([1000], 'f32', 'b');
    expect(b.buffer).toBe(buffer);
    expect(b.buffer.label).toBe('b');
    b.release();
  });

  it('uploads and reads back every dtype exactly', async () => {
    const gpu = await testGpu();
    const ints = gpu.upload(new Int32Array([-5, 0, 2147483647]), [3], 'ints');
    expect([...(await gpu.read(ints))]).toEqual([-5, 0, 2147483647]);
    ints.release();
    const f = gpu.upload(new Float32Array([1.5, -0, Math.fround(3e38)]), [3], 'floats');
    expect([...(await gpu.read(f))]).toEqual([1.5, -0, Math.fround(3e38)]);
    f.release();
  });

  it('reports per-kernel time when profiling', async () => {
    const gpu = await testGpu();
    gpu.profiler.enabled = true;
    // Enough work (2^20 elements) that a timestamp's resolution cannot round the pass to 0 ms.
    const n = 1 << 20;
    for (let i = 0; i < 3; i++) {
      const t = gpu.empty([n], 'f32', 'o');
      gpu.run({ label: 'fill.profiled', code: FILL, params: { n, value: i }, bindings: [t], workgroups: [n / 64] });
      t.release();
    }
    const timings = await gpu.takeTimings();
    gpu.profiler.enabled = false;
    const row = timings.find((t) => t.name === 'fill.profiled');
    expect(row?.calls).toBe(3);
    expect(row!.ms).toBeGreaterThan(0);
    expect(await gpu.takeTimings()).toEqual([]);
  });

  it('turns a shader compilation error into a typed gpu error', async () => {
    const gpu = await testGpu();
    const t = gpu.empty([4], 'f32', 'o');
    gpu.run({
      label: 'broken',
      code: FILL.replace('params.value * SCALE', 'undefined_symbol'),
      params: { n: 4, value: 1 },
      bindings: [t],
      workgroups: [1],
    });
    const err = await gpu.sync().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isStepwiseError(err) && err.code).toBe('gpu');
    expect(String((err as Error).message)).toMatch(/shader compilation failed/);
    t.release();
    await gpu.sync(); // the device stays usable afterwards
  });

  it('splits large 1-D launches into a 2-D grid within the limit', async () => {
    const gpu = await testGpu();
    const max = gpu.adapter.limits.maxComputeWorkgroupsPerDimension;
    expect(gpu.grid(10)).toEqual([10, 1]);
    const [x, y] = gpu.grid(max * 3 + 1);
    expect(x).toBeLessThanOrEqual(max);
    expect(x * y).toBeGreaterThanOrEqual(max * 3 + 1);
  });
});

describe('Gpu.copy', () => {
  it('copies element ranges between tensors and rejects out-of-bounds ranges', async () => {
    const gpu = await testGpu();
    const src = gpu.upload(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3], 'src');
    const dst = gpu.upload(new Float32Array(9), [3, 3], 'dst');
    gpu.copy(src, 3, dst, 6, 3); // row 1 of src → row 2 of dst
    expect([...(await gpu.read(dst))]).toEqual([0, 0, 0, 0, 0, 0, 4, 5, 6]);
    expect(() => gpu.copy(src, 4, dst, 0, 3)).toThrow(/out of bounds/);
    src.release();
    dst.release();
  });
});
