// Llama (Touvron et al. 2023; Hugging Face LlamaForCausalLM, e.g. SmolLM2): RMSNorm, rotate-half RoPE
// with rope_theta, grouped-query attention, SwiGLU MLP, tied or untied LM head, optional head_dim and
// projection biases. Tensor names are the published ones (model.layers.{i}.self_attn.q_proj.weight …,
// lm_head.weight when untied); nn.Linear weights are [out, in], so every projection is a transB matmul.

import type { Gpu } from '../gpu/gpu.ts';
import { view, type Tensor } from '../gpu/tensor.ts';
import type { CheckpointReader } from '../formats/checkpoint.ts';
import type { LlamaConfig } from '../formats/config.ts';
import { add } from '../kernels/elementwise.ts';
import { attention } from '../kernels/attention.ts';
import { embedding } from '../kernels/embedding.ts';
import { matmul } from '../kernels/matmul.ts';
import { rmsNorm } from '../kernels/rmsnorm.ts';
import { rope, ropeTable, type RopeTable } from '../kernels/rope.ts';
import { swiglu } from '../kernels/unary.ts';
import type { CausalLm } from './causalLm.ts';
import { checkForward } from './forwardChecks.ts';
import { KvCache } from './kvCache.ts';
import { WeightLoader } from './weights.ts';

/** Longest context we build RoPE tables and caches for, whatever max_position_embeddings says. */
export const LLAMA_MAX_CONTEXT = 8192;

interface Linear {
  w: Tensor; // [out, in]
  b?: Tensor; // [out] when the config has projection biases
}

interface Block {
  inputNorm: Tensor; // [C]
  q: Linear; // [H·D, C]
  k: Linear; // [Hkv·D, C]
  v: Linear; // [Hkv·D, C]
  o: Linear; // [C, H·D]
  postNorm: Tensor; // [C]
  gate: Linear; // [F, C]
  up: Linear; // [F, C]
  down: Linear; // [C, F]
}

export class Llama implements CausalLm {
  readonly architecture = 'llama';

  private constructor(
    private readonly gpu: Gpu,
    readonly config: LlamaConfig,
    private readonly embed: Tensor, // [V, C]
    private readonly blocks: Block[],
    private readonly norm: Tensor, // [C]
    private readonly head: Tensor, // [V, C]: lm_head.weight, or embed when tied
    private readonly rope: RopeTable, // [contextLength, D/2, 2]
    private readonly owned: Tensor[],
    readonly weightBytes: number,
  ) {}

  get vocabSize(): number {
    return this.config.vocabSize;
  }
  get contextLength(): number {
    return Math.min(this.config.maxPositionEmbeddings, LLAMA_MAX_CONTEXT);
  }
  get eosTokenIds(): number[] {
    return this.config.eosTokenIds;
  }

  static async load(gpu: Gpu, config: LlamaConfig, checkpoint: CheckpointReader): Promise<Llama> {
    const {
      vocabSize: V,
      hiddenSize: C,
      intermediateSize: F,
      numAttentionHeads: H,
      numKeyValueHeads: KV,
      headDim: D,
    } = config;
    const w = new WeightLoader(gpu, checkpoint, `llama config (hidden_size=${C}, heads=${H}/${KV}, head_dim=${D})`);
    const linear = async (name: string, nOut: number, nIn: number, bias: boolean): Promise<Linear> => ({
      w: await w.tensor(`${name}.weight`, [nOut, nIn]),
      b: bias ? await w.tensor(`${name}.bias`, [nOut]) : undefined,
    });
    const embed = await w.tensor('model.embed_tokens.weight', [V, C]);
    const blocks: Block[] = [];
    for (let i = 0; i < config.numHiddenLayers; i++) {
      const p = `model.layers.${i}.`;
      const ab = config.attentionBias;
      const mb = config.mlpBias;
      blocks.push({
        inputNorm: await w.tensor(`${p}input_layernorm.weight`, [C]),
        q: await linear(`${p}self_attn.q_proj`, H * D, C, ab),
        k: await linear(`${p}self_attn.k_proj`, KV * D, C, ab),
        v: await linear(`${p}self_attn.v_proj`, KV * D, C, ab),
        o: await linear(`${p}self_attn.o_proj`, C, H * D, ab),
        postNorm: await w.tensor(`${p}post_attention_layernorm.weight`, [C]),
        gate: await linear(`${p}mlp.gate_proj`, F, C, mb),
        up: await linear(`${p}mlp.up_proj`, F, C, mb),
        down: await linear(`${p}mlp.down_proj`, C, F, mb),
      });
    }
    const norm = await w.tensor('model.norm.weight', [C]);
    // Tied checkpoints usually omit lm_head.weight; some re-saves include it anyway: prefer it when present.
    const head =
      config.tieWordEmbeddings && !w.has('lm_head.weight') ? embed : await w.tensor('lm_head.weight', [V, C]);
    const context = Math.min(config.maxPositionEmbeddings, LLAMA_MAX_CONTEXT);
    const table = w.guardSync(() =>
      ropeTable(gpu, { maxPos: context, rotaryDim: D, theta: config.ropeTheta }, 'rope.table'),
    );
    w.adopt(table.table);
    return new Llama(gpu, config, embed, blocks, norm, head, table, await w.all(), w.bytes);
  }

  newCache(capacity: number): KvCache {
    const { numHiddenLayers, numKeyValueHeads, headDim } = this.config;
    return new KvCache(
      this.gpu,
      { layers: numHiddenLayers, kvHeads: numKeyValueHeads, headDim },
      Math.min(capacity, this.contextLength),
    );
  }

  private project(x: Tensor, l: Linear, label: string): Tensor {
    return matmul(this.gpu, x, l.w, { transB: true, bias: l.b, label });
  }

  forward(ids: Int32Array, cache: KvCache, options: { lastOnly?: boolean } = {}): Tensor {
    const gpu = this.gpu;
    const { hiddenSize: C, numAttentionHeads: H, numKeyValueHeads: KV, headDim: D, rmsNormEps: eps } = this.config;
    const T = ids.length;
    checkForward(ids, cache, this.vocabSize);
    const pos0 = cache.length;
    const kvLen = pos0 + T;

    const idT = gpu.upload(ids, [T], 'ids'); // [T]
    let x = embedding(gpu, idT, this.embed); // [T, C]
    idT.release();

    this.blocks.forEach((b, l) => {
      const h = rmsNorm(gpu, x, b.inputNorm, { eps }); // [T, C]
      const q0 = this.project(h, b.q, 'q_proj'); // [T, H·D]
      const k0 = this.project(h, b.k, 'k_proj'); // [T, Hkv·D]
      const v = this.project(h, b.v, 'v_proj'); // [T, Hkv·D]
      const q = rope(gpu, view(q0, [T, H, D]), this.rope, { pos0, layout: 'rotate-half' }); // [T, H, D]
      const k = rope(gpu, view(k0, [T, KV, D]), this.rope, { pos0, layout: 'rotate-half' }); // [T, Hkv, D]
      cache.write(l, k, v, T);
      const a = attention(gpu, q, cache.keys[l], cache.values[l], { causal: true, qOffset: pos0, kvLen }); // [T, H, D]
      const o = this.project(view(a, [T, H * D]), b.o, 'o_proj'); // [T, C]
      const x1 = add(gpu, x, o); // [T, C]
      for (const t of [h, q0, k0, v, q, k, a, o, x]) t.release();
      const h2 = rmsNorm(gpu, x1, b.postNorm, { eps }); // [T, C]
      const g = this.project(h2, b.gate, 'gate_proj'); // [T, F]
      const u = this.project(h2, b.up, 'up_proj'); // [T, F]
      const s = swiglu(gpu, g, u); // [T, F]
      const m = this.project(s, b.down, 'down_proj'); // [T, C]
      x = add(gpu, x1, m); // [T, C]
      for (const t of [x1, h2, g, u, s, m]) t.release();
    });
    cache.length = kvLen;

    let last = x;
    if (options.lastOnly && T > 1) {
      last = gpu.empty([1, C], 'f32', 'last'); // [1, C]
      gpu.copy(x, (T - 1) * C, last, 0, C);
      x.release();
    }
    const y = rmsNorm(gpu, last, this.norm, { eps }); // [rows, C]
    const logits = matmul(gpu, y, this.head, { transB: true, label: 'lm_head' }); // [rows, V]
    last.release();
    y.release();
    return logits;
  }

  dispose(): void {
    for (const t of this.owned) t.release();
  }
}
