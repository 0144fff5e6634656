// The ViT inside TiTok's encoder and decoder: open_clip's ResidualAttentionBlock, pre-LayerNorm,
//   x = x + out_proj(MHA(ln_1(x)))        nn.MultiheadAttention, q·kᵀ / √(C / H), no mask
//   x = x + c_proj(GELU(c_fc(ln_2(x))))   exact (erf) GELU, MLP width 4C
// with LayerNorm eps 1e-5. nn.MultiheadAttention keeps q, k and v stacked in in_proj_weight [3C, C]
// and in_proj_bias [3C]; they are split on load. Tensor names: {prefix}{i}.ln_1.*, .attn.in_proj_*,
// .attn.out_proj.*, .ln_2.*, .mlp.c_fc.*, .mlp.c_proj.*

import type { Gpu } from '../gpu/gpu.ts';
import { view, type Tensor } from '../gpu/tensor.ts';
import { attention } from '../kernels/attention.ts';
import { add } from '../kernels/elementwise.ts';
import { geluExact } from '../kernels/unary.ts';
import { StepwiseError } from '../shared/errors.ts';
import { linear, loadTorchLinear, loadTorchNorm, norm, type TorchLinear, type TorchNorm } from './torchLinear.ts';
import type { WeightLoader } from './weights.ts';

const EPS = 1e-5; // nn.LayerNorm's default

interface VitBlock {
  ln1: TorchNorm;
  q: TorchLinear; // [C, C], rows 0 … C−1 of in_proj
  k: TorchLinear; // rows C … 2C−1
  v: TorchLinear; // rows 2C … 3C−1
  out: TorchLinear; // attn.out_proj [C, C]
  ln2: TorchNorm;
  fc: TorchLinear; // mlp.c_fc [4C, C]
  proj: TorchLinear; // mlp.c_proj [C, 4C]
}

export interface Vit {
  width: number; // C
  heads: number; // H
  blocks: VitBlock[];
}

/** Loads `layers` blocks named `{prefix}{i}.…` of width C with `heads` heads. */
export async function loadVit(
  w: WeightLoader,
  prefix: string,
  width: number,
  layers: number,
  heads: number,
): Promise<Vit> {
  const C = width;
  const blocks: VitBlock[] = [];
  for (let i = 0; i < layers; i++) {
    const p = `${prefix}${i}.`;
    const inW = await w.host(`${p}attn.in_proj_weight`, [3 * C, C]); // [3C, C]
    const inB = await w.host(`${p}attn.in_proj_bias`, [3 * C]); // [3C]
    const part = (j: number, name: string): TorchLinear => ({
      w: w.upload(inW.subarray(j * C * C, (j + 1) * C * C), [C, C], `${p}attn.${name}.weight`),
      b: w.upload(inB.subarray(j * C, (j + 1) * C), [C], `${p}attn.${name}.bias`),
      label: `${p}attn.${name}`,
    });
    blocks.push({
      ln1: await loadTorchNorm(w, `${p}ln_1`, C),
      q: part(0, 'q'),
      k: part(1, 'k'),
      v: part(2, 'v'),
      out: await loadTorchLinear(w, `${p}attn.out_proj`, C, C),
      ln2: await loadTorchNorm(w, `${p}ln_2`, C),
      fc: await loadTorchLinear(w, `${p}mlp.c_fc`, C, 4 * C),
      proj: await loadTorchLinear(w, `${p}mlp.c_proj`, 4 * C, C),
    });
  }
  return { width, heads, blocks };
}

/** Runs every block (at least one) over x [T, C] → a new [T, C]; x is left to the caller. */
export function runVit(gpu: Gpu, vit: Vit, x: Tensor): Tensor {
  const T = x.shape[0];
  const { width: C, heads: H } = vit;
  let h: Tensor | null = null; // the residual stream once the first block has run
  for (const b of vit.blocks) {
    const cur = h ?? x;
    const n1 = norm(gpu, cur, b.ln1, EPS); // [T, C]
    const [q, k, v] = [b.q, b.k, b.v].map((l) => linear(gpu, n1, l)); // [T, C] each
    const a = attention(gpu, view(q, [T, H, C / H]), view(k, [T, H, C / H]), view(v, [T, H, C / H]), {
      label: `${b.q.label.slice(0, -2)}.attention`,
    }); // [T, H, C/H]
    const o = linear(gpu, view(a, [T, C]), b.out); // [T, C]
    const h1 = add(gpu, cur, o); // [T, C]
    const n2 = norm(gpu, h1, b.ln2, EPS); // [T, C]
    const f = linear(gpu, n2, b.fc); // [T, 4C]
    const g = geluExact(gpu, f); // [T, 4C]
    const m = linear(gpu, g, b.proj); // [T, C]
    const h2 = add(gpu, h1, m); // [T, C]
    for (const t of [n1, q, k, v, a, o, n2, f, g, m, h1]) t.release();
    h?.release();
    h = h2;
  }
  if (!h) throw new StepwiseError('internal', 'runVit: a ViT needs at least one block');
  return h;
}
