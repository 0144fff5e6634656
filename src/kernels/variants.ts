// Kernel variants per adapter class. On CPU adapters (SwiftShader) barriers and workgroup memory
// are slow, so the `cpu` variants use register tiling without them; on GPUs the workgroup-tiled
// variants win (../shared/reference/webgpu-performance.md §5–6). Each family lists its choice here so
// `info` can show it.

import type { Gpu } from '../gpu/gpu.ts';

export type VariantClass = 'cpu' | 'gpu';

/** The variant class a kernel family should use on this device. */
export function variantClass(gpu: Gpu): VariantClass {
  return gpu.adapterClass;
}

export function kernelVariants(gpu: Gpu): Record<string, string> {
  const cls = variantClass(gpu);
  return {
    matmul:
      cls === 'cpu'
        ? 'register 16×16 per invocation, no workgroup memory; GEMV (1×8 per invocation) for M ≤ 4'
        : 'workgroup-tiled 64×64 (4×4 per thread); GEMV (1×8 per invocation) for M ≤ 4',
    layernorm: cls === 'cpu' ? 'row per invocation' : 'workgroup per row',
    rmsnorm: cls === 'cpu' ? 'row per invocation' : 'workgroup per row',
    softmax: cls === 'cpu' ? 'row per invocation' : 'workgroup per row',
    argmax: cls === 'cpu' ? 'thread per row' : 'workgroup per row',
    'non-finite scan':
      cls === 'cpu' ? 'chunk per invocation, then one combining invocation' : 'one workgroup, tree reduction',
    topk: cls === 'cpu' ? 'thread per row (sorted k-list)' : 'workgroup per row (k-list merge)',
    attention: cls === 'cpu' ? 'row-per-thread online softmax' : 'flash (workgroup K/V tiles)',
    // One design for both classes so far: no workgroup-tiled variant has been written yet.
    'sparse attention (block top-K, LLSA)': '4 query rows per invocation, online softmax',
    'token merging (ToMe)': 'one token per invocation',
    conv2d:
      cls === 'cpu'
        ? '8 output channels × 8 pixels per invocation, no workgroup memory'
        : 'workgroup 8×8 pixels × 8 channels, input patch in workgroup memory',
    groupnorm:
      cls === 'cpu'
        ? 'group per invocation, then element per invocation'
        : 'workgroup per group, then element per invocation',
    // Gathers and copies with no reuse to tile for: one design for both classes.
    'upsample, rvq decode': 'one output element per invocation',
    'patchify, transpose': 'one output element per invocation',
    // Rows of a few dozen values (latent tokens, codebook vectors): nothing to share across a workgroup.
    'l2 normalise, nearest code (VQ)': 'one row per invocation',
  };
}
