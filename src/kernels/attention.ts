// Dense multi-head attention with grouped-query heads, a causal mask with a query offset (KV-cache
// decoding) and key padding, computed flash style: an online softmax over the keys, never an N×N
// score matrix. Two variants (src/kernels/variants.ts): `cpu` — one invocation per (row, head), no
// workgroup memory (shaders/attention_flash.wgsl); `gpu` — K/V tiles in workgroup memory shared by a
// block of rows (shaders/attention_flash_tiled.wgsl).

import rowCode from '../../shaders/attention_flash.wgsl?raw';
import tiledCode from '../../shaders/attention_flash_tiled.wgsl?raw';
import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { expectDType, expectPositiveInt, expectRank, expectShape, fail } from './checks.ts';
import { variantClass, type VariantClass } from './variants.ts';

export interface AttentionOptions {
  /** Multiplies q·k before the softmax; default 1/√D. */
  scale?: number;
  /** Query i sees only keys at positions ≤ qOffset + i. Default false (bidirectional). */
  causal?: boolean;
  /** Absolute position of query row 0 under the causal mask (decoding one token against a cache of
   *  Tk keys: Tq = 1, qOffset = Tk − 1). Ignored unless causal. Default 0. */
  qOffset?: number;
  /** Only keys 0 … kvLen−1 are valid (a preallocated KV cache only partly filled). Default Tk. */
  kvLen?: number;
  /** Forces a variant instead of the one for this adapter class. */
  variant?: VariantClass;
  /** Label of the output tensor and the dispatch. Default "attention". */
  label?: string;
}

const KERNEL = 'attention';
const MAX_HEAD_DIM = 256;
const TILE_VEC4S = 512; // vec4s in one K (or V) tile: 2 tiles · 512 · 16 B = 16 KiB of workgroup memory
const MAX_TILE_KEYS = 32; // MAX_BK in attention_flash_tiled.wgsl

/** out[i, h] = softmax(scale · q[i, h] · kᵀ[:, g] + mask) · v[:, g] with g = h / (Hq / Hkv).
 *  q [Tq, Hq, D], k and v [Tk, Hkv, D] → out [Tq, Hq, D]. */
export function attention(gpu: Gpu, q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  for (const t of [q, k, v]) {
    expectDType(KERNEL, t, 'f32');
    expectRank(KERNEL, t, 3);
  }
  const [tq, hq, d] = q.shape;
  const [tk, hkv, dk] = k.shape;
  expectShape(KERNEL, v, k.shape);
  for (const [name, n] of [
    ['Tq', tq],
    ['Hq', hq],
    ['D', d],
    ['Tk', tk],
    ['Hkv', hkv],
  ] as const) {
    expectPositiveInt(KERNEL, name, n);
  }
  if (dk !== d) fail(KERNEL, `head size differs: ${q.label} has D=${d}, ${k.label} has D=${dk}`);
  if (d > MAX_HEAD_DIM) fail(KERNEL, `head size D=${d} is above the supported ${MAX_HEAD_DIM}`);
  if (hq % hkv !== 0) fail(KERNEL, `Hq=${hq} query heads is not a multiple of Hkv=${hkv} key/value heads`);
  const kvLen = opts.kvLen ?? tk;
  expectPositiveInt(KERNEL, 'kvLen', kvLen);
  if (kvLen > tk) fail(KERNEL, `kvLen=${kvLen} is more than the Tk=${tk} keys given`);
  const qOffset = opts.qOffset ?? 0;
  if (!Number.isInteger(qOffset) || qOffset < 0) fail(KERNEL, `qOffset must be a non-negative integer, got ${qOffset}`);
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  if (!Number.isFinite(scale)) fail(KERNEL, `scale must be finite, got ${scale}`);

  const label = opts.label ?? KERNEL;
  const out = gpu.empty([tq, hq, d], 'f32', label); // [Tq, Hq, D]
  // A query at position ≥ kvLen sees every valid key either way; clamping keeps qOffset + i in u32.
  const params = { tq, hq, hkv, kv_len: kvLen, causal: opts.causal ? 1 : 0, q_offset: Math.min(qOffset, kvLen), scale };
  const bindings = [q, k, v, out];
  if ((opts.variant ?? variantClass(gpu)) === 'cpu') {
    // SwiftShader runs one workgroup on one core: a decode step (Tq·Hq of a few dozen) gets
    // workgroups of 4 invocations, so that it still spreads over every core.
    const wg = tq * hq < 256 ? 4 : 64;
    gpu.run({
      label,
      code: rowCode,
      constants: { HEAD_DIM: d, WG: wg },
      params,
      bindings,
      workgroups: gpu.grid(Math.ceil((tq * hq) / wg)),
    });
  } else {
    // Rows are (query, head-in-group) pairs of one KV head; a short query block (decoding) gets a
    // small workgroup rather than 64 idle invocations.
    const rows = tq * (hq / hkv);
    const bq = rows <= 16 ? 16 : 64;
    const bk = Math.min(MAX_TILE_KEYS, Math.floor(TILE_VEC4S / Math.ceil(d / 4)));
    gpu.run({
      label,
      code: tiledCode,
      constants: { HEAD_DIM: d, BQ: bq, BK: bk },
      params,
      bindings,
      workgroups: gpu.grid(hkv * Math.ceil(rows / bq)),
    });
  }
  return out;
}
