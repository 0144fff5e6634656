// The weights of one GPT-2 block (pre-LayerNorm attention and GELU MLP, Conv1D weights [in, out]),
// shared by the architectures built from GPT-2 blocks: gpt2.ts, and the image-token generators
// maskgit.ts (bidirectional) and arImage.ts (causal).

import type { Tensor } from '../gpu/tensor.ts';
import { splitColumns, type WeightLoader } from './weights.ts';

export interface Linear {
  w: Tensor; // [in, out]
  b: Tensor; // [out]
}

export interface Norm {
  w: Tensor; // [C]
  b: Tensor; // [C]
}

export interface Gpt2Block {
  ln1: Norm;
  q: Linear; // [C, C], split from c_attn
  k: Linear; // [C, C]
  v: Linear; // [C, C]
  proj: Linear; // attn.c_proj [C, C]
  ln2: Norm;
  fc: Linear; // mlp.c_fc [C, F]
  fcProj: Linear; // mlp.c_proj [F, C]
}

export async function loadLinear(w: WeightLoader, name: string, nIn: number, nOut: number): Promise<Linear> {
  return { w: await w.tensor(`${name}.weight`, [nIn, nOut]), b: await w.tensor(`${name}.bias`, [nOut]) };
}

export async function loadNorm(w: WeightLoader, name: string, C: number): Promise<Norm> {
  return { w: await w.tensor(`${name}.weight`, [C]), b: await w.tensor(`${name}.bias`, [C]) };
}

/** Block `p` (a name prefix such as "h.3.") of width C and MLP width F. */
export async function loadGpt2Block(w: WeightLoader, p: string, C: number, F: number): Promise<Gpt2Block> {
  // c_attn's [C, 3C] weight holds q | k | v side by side; split it so each lands in its own tensor.
  const [wq, wk, wv] = splitColumns(await w.host(`${p}attn.c_attn.weight`, [C, 3 * C]), C, 3);
  const [bq, bk, bv] = splitColumns(await w.host(`${p}attn.c_attn.bias`, [3 * C]), 1, 3);
  return {
    ln1: await loadNorm(w, `${p}ln_1`, C),
    q: { w: w.upload(wq, [C, C], `${p}attn.q.weight`), b: w.upload(bq, [C], `${p}attn.q.bias`) },
    k: { w: w.upload(wk, [C, C], `${p}attn.k.weight`), b: w.upload(bk, [C], `${p}attn.k.bias`) },
    v: { w: w.upload(wv, [C, C], `${p}attn.v.weight`), b: w.upload(bv, [C], `${p}attn.v.bias`) },
    proj: await loadLinear(w, `${p}attn.c_proj`, C, C),
    ln2: await loadNorm(w, `${p}ln_2`, C),
    fc: await loadLinear(w, `${p}mlp.c_fc`, C, F),
    fcProj: await loadLinear(w, `${p}mlp.c_proj`, F, C),
  };
}
