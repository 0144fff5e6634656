import type { Gpu } from '../../gpu/gpu.ts';
import type { Tensor } from '../../gpu/tensor.ts';
import type { Rng } from '../../shared/rng.ts';
import { geluExactRef, geluRef, scaleRef, siluRef, swigluFusedRef, swigluRef, tanhRef } from '../reference/unary.ts';
import { measure, type CheckOutcome, type KernelCheck } from '../selfcheck.ts';
import { gelu, geluExact, scale, silu, swiglu, swigluFused, tanh } from '../unary.ts';

const [T, F] = [37, 300];

/** One activation over x [T, F] with values in [−20, 20], where tanh and exp saturate. */
async function activationCheck(
  gpu: Gpu,
  rng: Rng,
  op: (x: Tensor) => Tensor,
  ref: (x: Float32Array) => Float64Array,
): Promise<CheckOutcome> {
  const x = rng.floats(T * F, -20, 20);
  const tx = gpu.upload(x, [T, F], 'x'); // [T, F]
  const r = await measure(gpu, () => op(tx), ref(x), 1, `T=${T} F=${F}`);
  tx.release();
  return r;
}

export const unaryChecks: KernelCheck[] = [
  { name: 'gelu', run: (gpu, rng) => activationCheck(gpu, rng, (x) => gelu(gpu, x), geluRef) },
  { name: 'gelu (exact, erf)', run: (gpu, rng) => activationCheck(gpu, rng, (x) => geluExact(gpu, x), geluExactRef) },
  { name: 'tanh', run: (gpu, rng) => activationCheck(gpu, rng, (x) => tanh(gpu, x), tanhRef) },
  { name: 'silu', run: (gpu, rng) => activationCheck(gpu, rng, (x) => silu(gpu, x), siluRef) },
  {
    name: 'scale',
    run: (gpu, rng) =>
      activationCheck(
        gpu,
        rng,
        (x) => scale(gpu, x, 0.125),
        (x) => scaleRef(x, 0.125),
      ),
  },
  {
    name: 'swiglu',
    async run(gpu, rng) {
      const gate = rng.floats(T * F, -8, 8);
      const up = rng.floats(T * F, -2, 2);
      const tg = gpu.upload(gate, [T, F], 'gate'); // [T, F]
      const tu = gpu.upload(up, [T, F], 'up'); // [T, F]
      const r = await measure(gpu, () => swiglu(gpu, tg, tu), swigluRef(gate, up), 1, `T=${T} F=${F}`);
      tg.release();
      tu.release();
      return r;
    },
  },
  {
    name: 'swiglu (fused)',
    async run(gpu, rng) {
      const x = rng.floats(T * 2 * F, -8, 8);
      const tx = gpu.upload(x, [T, 2 * F], 'gate_up'); // [T, 2F]
      const r = await measure(gpu, () => swigluFused(gpu, tx), swigluFusedRef(x, F), 1, `T=${T} F=${F}`);
      tx.release();
      return r;
    },
  },
];
