// Matrix multiply: out = a · b (+ bias), f32, with b optionally transposed (nn.Linear weights are
// stored [out, in] = [N, K]; GPT-2's Conv1D stores [in, out] = [K, N]) and optionally batched (a
// [batch, M, K] with b [batch, K, N], or one b [K, N] shared by the batch).
//
// Variants (each correct on every shape; see the WGSL headers for tiling and dispatch):
// - naive:    one output per invocation (shaders/matmul_naive.wgsl), the baseline;
// - register: 16×16 outputs per invocation from registers, no workgroup memory and no barriers
//             (shaders/matmul_register.wgsl), the CPU-adapter kernel: on SwiftShader every load is
//             a per-lane gather and every barrier a fiber switch, so loads per FLOP decide speed
//             (about 40 % of the FMA ceiling at 512³, against ~3 % for naive);
// - tiled:    64×64 workgroup tiles staged in workgroup memory, 4×4 per thread
//             (shaders/matmul_tiled.wgsl), the GPU kernel;
// - gemv:     one row × 8 columns per invocation (shaders/matmul_gemv.wgsl), for decode (M = 1) and
//             other tiny M, where a tile of rows would mostly compute padding.

import io from '../../shaders/common/matmul_io.wgsl?raw';
import gemvCode from '../../shaders/matmul_gemv.wgsl?raw';
import naiveCode from '../../shaders/matmul_naive.wgsl?raw';
import registerCode from '../../shaders/matmul_register.wgsl?raw';
import tiledCode from '../../shaders/matmul_tiled.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectShape, fail } from './checks.ts';
import { variantClass } from './variants.ts';

export type MatmulVariant = 'naive' | 'register' | 'tiled' | 'gemv';
export const MATMUL_VARIANTS: readonly MatmulVariant[] = ['naive', 'register', 'tiled', 'gemv'];

export interface MatmulOptions {
  bias?: Tensor; // [N], added to every output row
  transB?: boolean; // b is [N, K] (or [batch, N, K]) instead of [K, N]
  variant?: MatmulVariant; // force a kernel instead of the adapter's choice (benchmarks, tests)
  label?: string; // kernel and output label; defaults to "matmul"
}

/** Largest M for which the GEMV kernel beats a tile of rows (measured at K = 768, N = 3072). */
export const GEMV_MAX_ROWS = 4;

interface Kernel {
  code: string;
  rows: number; // output rows per invocation
  cols: number; // output columns per invocation
  workgroup: number; // invocations per 1-D workgroup; 0: the 2-D tiled launch of matmul_tiled.wgsl
}

const KERNELS: Record<MatmulVariant, Kernel> = {
  // Each variant's source follows the shared declarations (WGSL has no include).
  naive: { code: `${io}\n${naiveCode}`, rows: 1, cols: 1, workgroup: 64 },
  register: { code: `${io}\n${registerCode}`, rows: 16, cols: 16, workgroup: 64 },
  tiled: { code: `${io}\n${tiledCode}`, rows: 64, cols: 64, workgroup: 0 },
  gemv: { code: `${io}\n${gemvCode}`, rows: 1, cols: 8, workgroup: 32 },
};

/** The kernel `matmul` picks for M rows on this device when no variant is forced. */
export function matmulVariant(gpu: Gpu, m: number): MatmulVariant {
  if (m <= GEMV_MAX_ROWS) return 'gemv';
  return variantClass(gpu) === 'cpu' ? 'register' : 'tiled';
}

/** out = a · b (+ bias). a: [M, K] or [batch, M, K]; b: [K, N] (transB: [N, K]), or the same with a
 *  leading batch dimension matching a's. Returns [M, N] or [batch, M, N]. */
export function matmul(gpu: Gpu, a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const label = options.label ?? 'matmul';
  expectDType(label, a, 'f32');
  expectDType(label, b, 'f32');
  if (a.shape.length !== 2 && a.shape.length !== 3)
    fail(label, `a ${JSON.stringify(a.shape)} must be [M, K] or [batch, M, K]`);
  if (b.shape.length !== 2 && b.shape.length !== 3) fail(label, `b ${JSON.stringify(b.shape)} must be rank 2 or 3`);
  const batched = a.shape.length === 3;
  const batch = batched ? a.shape[0] : 1;
  const [M, K] = a.shape.slice(-2);
  const sharedB = b.shape.length === 2;
  if (!sharedB && (!batched || b.shape[0] !== batch)) {
    fail(label, `b ${JSON.stringify(b.shape)} has a batch dimension that does not match a ${JSON.stringify(a.shape)}`);
  }
  const [bRows, bCols] = b.shape.slice(-2);
  const [bK, N] = options.transB ? [bCols, bRows] : [bRows, bCols];
  if (bK !== K) {
    const want = options.transB ? '[N, K]' : '[K, N]';
    fail(label, `a ${JSON.stringify(a.shape)} and b ${JSON.stringify(b.shape)} disagree on K (b is ${want})`);
  }
  if (M < 1 || N < 1 || K < 1 || batch < 1)
    fail(label, `empty matrices: a ${JSON.stringify(a.shape)}, b ${JSON.stringify(b.shape)}`);
  if (options.bias) {
    expectDType(label, options.bias, 'f32');
    expectShape(label, options.bias, [N]);
  }
  const variant = options.variant ?? matmulVariant(gpu, M);
  const kernel = KERNELS[variant];
  const maxGroups = gpu.adapter.limits.maxComputeWorkgroupsPerDimension;
  let workgroups: [number, number, number];
  if (kernel.workgroup === 0) {
    workgroups = [Math.ceil(N / kernel.cols), Math.ceil(M / kernel.rows), batch];
  } else {
    const tiles = Math.ceil(M / kernel.rows) * Math.ceil(N / kernel.cols);
    workgroups = [...gpu.grid(Math.ceil(tiles / kernel.workgroup)), batch];
  }
  if (workgroups.some((g) => g > maxGroups)) {
    fail(
      label,
      `${variant} needs workgroups ${JSON.stringify(workgroups)}, over the device limit ${maxGroups} per dimension`,
    );
  }

  const out = gpu.empty(batched ? [batch, M, N] : [M, N], 'f32', label); // [batch?, M, N]
  gpu.run({
    label,
    code: kernel.code,
    params: {
      M,
      N,
      K,
      strideA: M * K,
      strideB: sharedB ? 0 : K * N,
      bsK: options.transB ? 1 : N,
      bsN: options.transB ? K : 1,
      hasBias: options.bias ? 1 : 0,
    },
    // Without a bias the kernel still needs a buffer at binding 3; a is read-only, so it can stand in.
    bindings: [a, b, options.bias ?? a, out],
    workgroups,
  });
  return out;
}
