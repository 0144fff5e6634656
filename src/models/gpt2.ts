// GPT-2 (Radford et al. 2019; Hugging Face GPT2LMHeadModel): learned token and position embeddings,
// pre-LayerNorm blocks of causal multi-head attention and a GELU-tanh MLP, final LayerNorm, LM head
// tied to the token embedding. Tensor names are the published ones (wte.weight, h.{i}.attn.c_attn.*),
// with or without the "transformer." prefix of re-saved checkpoints; Conv1D weights are [in, out], so
// they multiply without a transpose. Extra tensors (the attn.bias mask buffers) are ignored.

import type { Gpu } from '../gpu/gpu.ts';
import { view, type Tensor } from '../gpu/tensor.ts';
import type { Gpt2Config } from '../formats/config.ts';
import type { CheckpointReader } from '../formats/checkpoint.ts';
import { add } from '../kernels/elementwise.ts';
import { attention } from '../kernels/attention.ts';
import { embedding } from '../kernels/embedding.ts';
import { layerNorm } from '../kernels/layernorm.ts';
import { matmul } from '../kernels/matmul.ts';
import { gelu } from '../kernels/unary.ts';
import type { CausalLm } from './causalLm.ts';
import { KvCache } from './kvCache.ts';
import { checkForward } from './forwardChecks.ts';
import { loadGpt2Block, loadNorm, type Gpt2Block, type Norm } from './gpt2Block.ts';
import { WeightLoader } from './weights.ts';

export class Gpt2 implements CausalLm {
  readonly architecture = 'gpt2';

  private constructor(
    private readonly gpu: Gpu,
    readonly config: Gpt2Config,
    private readonly wte: Tensor, // [V, C]
    private readonly wpe: Tensor, // [P, C]
    private readonly blocks: Gpt2Block[],
    private readonly lnF: Norm, // [C]
    private readonly owned: Tensor[],
    readonly weightBytes: number,
  ) {}

  get vocabSize(): number {
    return this.config.vocabSize;
  }
  get contextLength(): number {
    return this.config.nPositions;
  }
  get eosTokenIds(): number[] {
    return this.config.eosTokenIds;
  }

  static async load(gpu: Gpu, config: Gpt2Config, checkpoint: CheckpointReader): Promise<Gpt2> {
    const { vocabSize: V, nPositions: P, nEmbd: C, nInner: F, nLayer } = config;
    const w = new WeightLoader(gpu, checkpoint, `gpt2 config (n_embd=${C}, n_layer=${nLayer}, vocab_size=${V})`);
    const prefix = w.has('wte.weight') || !w.has('transformer.wte.weight') ? '' : 'transformer.';
    const wte = await w.tensor(`${prefix}wte.weight`, [V, C]);
    const wpe = await w.tensor(`${prefix}wpe.weight`, [P, C]);
    const blocks: Gpt2Block[] = [];
    for (let i = 0; i < nLayer; i++) blocks.push(await loadGpt2Block(w, `${prefix}h.${i}.`, C, F));
    const lnF = await loadNorm(w, `${prefix}ln_f`, C);
    return new Gpt2(gpu, config, wte, wpe, blocks, lnF, await w.all(), w.bytes);
  }

  newCache(capacity: number): KvCache {
    const { nLayer, nHead, headDim } = this.config;
    return new KvCache(this.gpu, { layers: nLayer, kvHeads: nHead, headDim }, Math.min(capacity, this.contextLength));
  }

  forward(ids: Int32Array, cache: KvCache, options: { lastOnly?: boolean } = {}): Tensor {
    const gpu = this.gpu;
    const { nEmbd: C, nHead: H, headDim: D, layerNormEpsilon: eps } = this.config;
    const T = ids.length;
    checkForward(ids, cache, this.vocabSize);
    const pos0 = cache.length;
    const kvLen = pos0 + T;

    const idT = gpu.upload(ids, [T], 'ids'); // [T]
    const posT = gpu.upload(
      Int32Array.from({ length: T }, (_, i) => pos0 + i),
      [T],
      'positions',
    ); // [T]
    const tok = embedding(gpu, idT, this.wte); // [T, C]
    const pos = embedding(gpu, posT, this.wpe); // [T, C]
    let x = add(gpu, tok, pos); // [T, C]
    for (const t of [idT, posT, tok, pos]) t.release();

    this.blocks.forEach((b, l) => {
      const h = layerNorm(gpu, x, b.ln1.w, b.ln1.b, { eps }); // [T, C]
      const q = matmul(gpu, h, b.q.w, { bias: b.q.b }); // [T, C] = [T, H, D]
      const k = matmul(gpu, h, b.k.w, { bias: b.k.b }); // [T, C]
      const v = matmul(gpu, h, b.v.w, { bias: b.v.b }); // [T, C]
      cache.write(l, k, v, T);
      const a = attention(gpu, view(q, [T, H, D]), cache.keys[l], cache.values[l], {
        causal: true,
        qOffset: pos0,
        kvLen,
      }); // [T, H, D]
      const o = matmul(gpu, view(a, [T, C]), b.proj.w, { bias: b.proj.b }); // [T, C]
      const x1 = add(gpu, x, o); // [T, C]
      for (const t of [h, q, k, v, a, o, x]) t.release();
      const h2 = layerNorm(gpu, x1, b.ln2.w, b.ln2.b, { eps }); // [T, C]
      const f = matmul(gpu, h2, b.fc.w, { bias: b.fc.b }); // [T, F]
      const g = gelu(gpu, f); // [T, F]
      const m = matmul(gpu, g, b.fcProj.w, { bias: b.fcProj.b }); // [T, C]
      x = add(gpu, x1, m); // [T, C]
      for (const t of [x1, h2, f, g, m]) t.release();
    });
    cache.length = kvLen;

    let last = x;
    if (options.lastOnly && T > 1) {
      last = gpu.empty([1, C], 'f32', 'last'); // [1, C]
      gpu.copy(x, (T - 1) * C, last, 0, C);
      x.release();
    }
    const y = layerNorm(gpu, last, this.lnF.w, this.lnF.b, { eps }); // [rows, C]
    const logits = matmul(gpu, y, this.wte, { transB: true, label: 'lm_head' }); // [rows, V]
    last.release();
    y.release();
    return logits;
  }

  dispose(): void {
    for (const t of this.owned) t.release();
  }
}
