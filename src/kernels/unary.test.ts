import { describe, expect, it } from 'vitest';
import type { Gpu } from '../gpu/gpu.ts';
import { testGpu } from '../gpu/testing.ts';
import { numel, type Tensor } from '../gpu/tensor.ts';
import { Rng } from '../shared/rng.ts';
import {
  erfcRef,
  geluExactRef,
  geluRef,
  scaleRef,
  siluRef,
  swigluFusedRef,
  swigluRef,
  tanhRef,
} from './reference/unary.ts';
import { measure } from './selfcheck.ts';
import { gelu, geluExact, scale, silu, swiglu, swigluFused, tanh } from './unary.ts';

describe('unary', () => {
  const shapes = [[1], [255], [257], [3, 5, 7], [64, 130], [1, 70001]];
  const ops: Array<[string, (gpu: Gpu, x: Tensor) => Tensor, (x: Float32Array) => Float64Array]> = [
    ['gelu', (gpu, x) => gelu(gpu, x), geluRef],
    ['gelu (exact)', (gpu, x) => geluExact(gpu, x), geluExactRef],
    ['tanh', (gpu, x) => tanh(gpu, x), tanhRef],
    ['silu', (gpu, x) => silu(gpu, x), siluRef],
    ['scale', (gpu, x) => scale(gpu, x, -0.37), (x) => scaleRef(x, -0.37)],
  ];
  for (const shape of shapes) {
    for (const [name, fn, ref] of ops) {
      it(`${name} ${JSON.stringify(shape)} over [-20, 20]`, async () => {
        const gpu = await testGpu();
        const x = new Rng(numel(shape) + shape.length).floats(numel(shape), -20, 20);
        const tx = gpu.upload(x, shape, 'x');
        const r = await measure(gpu, () => fn(gpu, tx), ref(x), 1, '');
        expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
        tx.release();
      });
    }
  }

  it('the float64 erfc reference matches known values, on both sides of its series / fraction switch', () => {
    // erfc on both sides of the switch at |x| = 1 (Python's math.erfc, to 15 digits)
    const known: Array<[number, number]> = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [0.99, 0.1614919304446302],
      [1, 0.15729920705028513],
      [1.01, 0.1531895037717233],
      [2, 0.004677734981047265],
      [2.999, 2.2230168599834058e-5],
      [3.001, 2.19516609177373e-5],
      [3.5, 7.430983723414128e-7],
      [5, 1.5374597944280351e-12],
      [10, 2.088487583762545e-45],
      [-1, 1.842700792949715],
      [-4, 1.999999984582742],
    ];
    for (const [x, want] of known) expect(Math.abs(erfcRef(x) - want) / want, `erfc(${x})`).toBeLessThan(1e-13);
  });

  it('exact GELU keeps relative accuracy in its negative tail', async () => {
    const gpu = await testGpu();
    const x = Float32Array.of(-9, -7, -5, -4, -3, -2, -1, -0.25);
    const tx = gpu.upload(x, [x.length], 'x');
    const t = geluExact(gpu, tx);
    const y = await gpu.read(t);
    const want = geluExactRef(x);
    y.forEach((v, i) => expect(Math.abs(v - want[i]), `gelu(${x[i]})`).toBeLessThanOrEqual(2e-5 * Math.abs(want[i])));
    t.release();
    tx.release();
  });

  it('gelu and silu stay finite and accurate at extreme inputs', async () => {
    const gpu = await testGpu();
    const x = new Float32Array([
      -3e38, -1e20, -1e4, -100, -20, -9.5, -3, -1e-3, 0, 1e-3, 3, 9.5, 20, 100, 1e4, 1e20, 3e38,
    ]);
    const tx = gpu.upload(x, [x.length], 'x');
    for (const [fn, ref] of [
      [gelu, geluRef],
      [geluExact, geluExactRef],
      [tanh, tanhRef],
      [silu, siluRef],
    ] as const) {
      const t = fn(gpu, tx);
      const y = await gpu.read(t);
      t.release();
      const want = ref(x);
      y.forEach((v, i) => {
        expect(Number.isFinite(v), `${fn.name}(${x[i]}) = ${v}`).toBe(true);
        expect(Math.abs(v - want[i]), `${fn.name}(${x[i]}) = ${v}, want ${want[i]}`).toBeLessThanOrEqual(
          1e-4 * Math.max(1, Math.abs(want[i])),
        );
      });
    }
    tx.release();
  });

  for (const shape of [[1], [257], [3, 5, 7], [64, 130]]) {
    it(`swiglu ${JSON.stringify(shape)}`, async () => {
      const gpu = await testGpu();
      const rng = new Rng(numel(shape) * 3);
      const gate = rng.floats(numel(shape), -20, 20);
      const up = rng.floats(numel(shape), -3, 3);
      const tg = gpu.upload(gate, shape, 'gate');
      const tu = gpu.upload(up, shape, 'up');
      const r = await measure(gpu, () => swiglu(gpu, tg, tu), swigluRef(gate, up), 1, '');
      expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
      tg.release();
      tu.release();
    });
  }

  for (const shape of [[2], [1, 2], [5, 6], [37, 2 * 301], [2, 3, 258]]) {
    it(`swiglu fused ${JSON.stringify(shape)}`, async () => {
      const gpu = await testGpu();
      const F = shape[shape.length - 1] / 2;
      const x = new Rng(numel(shape) * 5).floats(numel(shape), -20, 20);
      const tx = gpu.upload(x, shape, 'gate_up');
      const want = swigluFusedRef(x, F);
      const t = swigluFused(gpu, tx);
      expect(t.shape).toEqual([...shape.slice(0, -1), F]);
      t.release();
      const r = await measure(gpu, () => swigluFused(gpu, tx), want, 1, '');
      expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
      tx.release();
    });
  }

  it('swiglu fused equals swiglu on the two halves', async () => {
    const gpu = await testGpu();
    const [T, F] = [9, 40];
    const x = new Rng(11).floats(T * 2 * F, -6, 6);
    const gate = new Float32Array(T * F);
    const up = new Float32Array(T * F);
    for (let t = 0; t < T; t++) {
      gate.set(x.subarray(t * 2 * F, t * 2 * F + F), t * F);
      up.set(x.subarray(t * 2 * F + F, (t + 1) * 2 * F), t * F);
    }
    const tx = gpu.upload(x, [T, 2 * F], 'gate_up');
    const tg = gpu.upload(gate, [T, F], 'gate');
    const tu = gpu.upload(up, [T, F], 'up');
    const a = swigluFused(gpu, tx);
    const b = swiglu(gpu, tg, tu);
    expect(Array.from(await gpu.read(a))).toEqual(Array.from(await gpu.read(b)));
    for (const t of [tx, tg, tu, a, b]) t.release();
  });

  it('covers element counts past the per-dimension workgroup limit', async () => {
    const gpu = await testGpu();
    const n = 256 * gpu.adapter.limits.maxComputeWorkgroupsPerDimension + 5;
    const x = new Rng(12).floats(n);
    const tx = gpu.upload(x, [n], 'x');
    const r = await measure(gpu, () => scale(gpu, tx, 3), scaleRef(x, 3), 1, '');
    expect(r.maxAbsErr).toBeLessThanOrEqual(r.tolerance);
    tx.release();
  });

  it('rejects bad arguments', async () => {
    const gpu = await testGpu();
    const tx = gpu.upload(new Float32Array(6), [2, 3], 'x');
    const t6 = gpu.upload(new Float32Array(6), [6], 'flat');
    const ti = gpu.upload(new Int32Array(6), [2, 3], 'ids');
    expect(() => gelu(gpu, ti)).toThrow(/ids is i32/);
    expect(() => silu(gpu, ti)).toThrow(/ids is i32/);
    expect(() => geluExact(gpu, ti)).toThrow(/ids is i32/);
    expect(() => tanh(gpu, ti)).toThrow(/ids is i32/);
    expect(() => scale(gpu, tx, NaN)).toThrow(/alpha must be finite/);
    expect(() => swiglu(gpu, tx, t6)).toThrow(/flat has shape \[6\], expected \[2,3\]/);
    expect(() => swiglu(gpu, tx, ti)).toThrow(/ids is i32/);
    expect(() => swigluFused(gpu, tx)).toThrow(/needs an even last dimension/);
    for (const t of [tx, t6, ti]) t.release();
  });
});
