// TiTok's class-conditional MaskGIT generator (bytedance/1d-tokenizer, modeling/maskgit.py, ImageBert):
// Hugging Face's BertModel over [class token, L image tokens] with a linear head to K logits per image
// token. Token space: 0 … K−1 image codes, K the mask token, K + 1 + c class c (c < C), K + 1 + C the
// dropped class (the unconditional half of classifier-free guidance).
//   x = LN(word[ids] + token_type[0] + position[0 … L])                         [L + 1, H], LN eps 1e-12
//   per layer (post-LayerNorm BERT): a = LN(x + dense(MHA(x)));  x = LN(a + dense(gelu(dense(a))))
//   logits = lm_head(x[1 … L])                                                   [L, K]
// GELU is the exact (erf) one, as hidden_act "gelu" selects. Tensor names: model.embeddings.*,
// model.encoder.layer.{i}.attention.self.{query,key,value}.*, .attention.output.{dense,LayerNorm}.*,
// .intermediate.dense.*, .output.{dense,LayerNorm}.*, model.lm_head.* (model.embeddings.position_ids,
// which older transformers saved, is not needed).

import type { Gpu } from '../gpu/gpu.ts';
import { view, type Tensor } from '../gpu/tensor.ts';
import { readTitokGenerator, type TitokGeneratorConfig } from '../formats/configTitok.ts';
import { badFile } from '../formats/fileErrors.ts';
import type { LoadedModel } from '../formats/modelFolder.ts';
import { attention } from '../kernels/attention.ts';
import { add } from '../kernels/elementwise.ts';
import { embedding } from '../kernels/embedding.ts';
import { geluExact } from '../kernels/unary.ts';
import { badInput } from '../shared/errors.ts';
import { titokRole } from './titokRole.ts';
import { linear, loadTorchLinear, loadTorchNorm, norm, type TorchLinear, type TorchNorm } from './torchLinear.ts';
import { WeightLoader } from './weights.ts';

interface BertLayer {
  q: TorchLinear; // attention.self.query [H, H]
  k: TorchLinear;
  v: TorchLinear;
  out: TorchLinear; // attention.output.dense [H, H]
  ln1: TorchNorm; // attention.output.LayerNorm
  up: TorchLinear; // intermediate.dense [I, H]
  down: TorchLinear; // output.dense [H, I]
  ln2: TorchNorm; // output.LayerNorm
}

export class ImageBert {
  readonly architecture = 'titok-imagebert';

  private constructor(
    private readonly gpu: Gpu,
    readonly config: TitokGeneratorConfig,
    private readonly word: Tensor, // word_embeddings [K + C + 2, H]
    private readonly positions: Tensor, // position_embeddings[0 … L] + token_type_embeddings[0], [L + 1, H]
    private readonly lnEmbed: TorchNorm,
    private readonly layers: BertLayer[],
    private readonly head: TorchLinear, // lm_head [K, H]
    private readonly owned: Tensor[],
    readonly weightBytes: number, // GPU bytes held by the weights
  ) {}

  /** Image tokens per sequence, L. */
  get sequenceLength(): number {
    return this.config.imageSeqLen;
  }
  /** The mask token: K, the codebook size. */
  get maskTokenId(): number {
    return this.config.codebookSize;
  }
  get numClasses(): number {
    return this.config.conditionNumClasses;
  }
  /** The class id of "no class" (the dropped label of guidance's unconditional half): C. */
  get nullClass(): number {
    return this.config.conditionNumClasses;
  }

  /** Builds the generator of a TiTok folder; on any error the weights uploaded so far are released. */
  static async load(gpu: Gpu, model: LoadedModel): Promise<ImageBert> {
    if (model.config.modelType !== 'titok') {
      throw badInput(`${model.folder} is a "${model.config.modelType}" model, not a TiTok generator`);
    }
    if (titokRole(model) !== 'generator') {
      throw badInput(
        `${model.folder} holds a TiTok tokenizer, not the generator (ImageBert)`,
        'pick the generator folder, e.g. yucornetto/generator_titok_l32_imagenet',
      );
    }
    const c = readTitokGenerator(model.config, `${model.folder}/config.json`);
    const { codebookSize: K, conditionNumClasses: C, imageSeqLen: L, hiddenSize: H, intermediateSize: I } = c;
    const w = new WeightLoader(gpu, model.checkpoint, `TiTok generator (ImageBert) of ${model.folder}`);
    return w.guard(async () => {
      const e = 'model.embeddings.';
      const word = await w.tensor(`${e}word_embeddings.weight`, [K + C + 2, H]);
      // Only rows 0 … L of the position table and row 0 of the token types are used; both are added
      // to every sequence, so they are summed once here.
      const posRows = rowsOr(model, `${e}position_embeddings.weight`, L + 1);
      const typeRows = rowsOr(model, `${e}token_type_embeddings.weight`, 2);
      if (posRows < L + 1) {
        throw badFile(
          model.checkpoint.info(`${e}position_embeddings.weight`).file,
          `tensor "${e}position_embeddings.weight" has ${posRows} rows, fewer than the ${L + 1} positions of image_seq_len ${L} and the class token`,
          'check that the weights belong to this config.json',
        );
      }
      const pos = await w.host(`${e}position_embeddings.weight`, [posRows, H]);
      const types = await w.host(`${e}token_type_embeddings.weight`, [typeRows, H]);
      const positions = w.upload(
        Float32Array.from(pos.subarray(0, (L + 1) * H), (v, i) => v + types[i % H]),
        [L + 1, H],
        'model.embeddings.positions',
      );
      const lnEmbed = await loadTorchNorm(w, `${e}LayerNorm`, H);
      const layers: BertLayer[] = [];
      for (let i = 0; i < c.numHiddenLayers; i++) {
        const p = `model.encoder.layer.${i}.`;
        layers.push({
          q: await loadTorchLinear(w, `${p}attention.self.query`, H, H),
          k: await loadTorchLinear(w, `${p}attention.self.key`, H, H),
          v: await loadTorchLinear(w, `${p}attention.self.value`, H, H),
          out: await loadTorchLinear(w, `${p}attention.output.dense`, H, H),
          ln1: await loadTorchNorm(w, `${p}attention.output.LayerNorm`, H),
          up: await loadTorchLinear(w, `${p}intermediate.dense`, H, I),
          down: await loadTorchLinear(w, `${p}output.dense`, I, H),
          ln2: await loadTorchNorm(w, `${p}output.LayerNorm`, H),
        });
      }
      const head = await loadTorchLinear(w, 'model.lm_head', H, K);
      return new ImageBert(gpu, c, word, positions, lnEmbed, layers, head, await w.all(), w.bytes);
    });
  }

  /** Logits [L, K] for image tokens [L] (the mask id K where unknown) under class `classId`
   *  (0 … C−1, or C = nullClass for the unconditional logits). The caller releases the result. */
  forward(tokens: Int32Array, classId: number): Tensor {
    this.checkInputs(tokens, classId);
    const gpu = this.gpu;
    const { codebookSize: K, imageSeqLen: L, hiddenSize: H, numAttentionHeads: heads, headDim: D } = this.config;
    const eps = this.config.layerNormEps;
    const input = new Int32Array(L + 1); // [L + 1]: the class token, then the image tokens
    input[0] = K + 1 + classId;
    input.set(tokens, 1);
    const ids = gpu.upload(input, [L + 1], 'imagebert.input'); // [L + 1]
    const we = embedding(gpu, ids, this.word, 'model.embeddings.word_embeddings'); // [L + 1, H]
    const e = add(gpu, we, this.positions, 'model.embeddings.sum'); // [L + 1, H]
    let x = norm(gpu, e, this.lnEmbed, eps); // [L + 1, H]
    for (const t of [ids, we, e]) t.release();
    const T = L + 1;
    for (const b of this.layers) {
      const [q, k, v] = [b.q, b.k, b.v].map((l) => linear(gpu, x, l)); // [T, H] each
      const a = attention(gpu, view(q, [T, heads, D]), view(k, [T, heads, D]), view(v, [T, heads, D]), {
        label: `${b.q.label.replace('.self.query', '')}.attention`,
      }); // [T, heads, D]
      const o = linear(gpu, view(a, [T, H]), b.out); // [T, H]
      const r1 = add(gpu, o, x); // [T, H]
      const a1 = norm(gpu, r1, b.ln1, eps); // [T, H]
      const u = linear(gpu, a1, b.up); // [T, I]
      const g = geluExact(gpu, u); // [T, I]
      const d = linear(gpu, g, b.down); // [T, H]
      const r2 = add(gpu, d, a1); // [T, H]
      const next = norm(gpu, r2, b.ln2, eps); // [T, H]
      for (const t of [q, k, v, a, o, r1, a1, u, g, d, r2, x]) t.release();
      x = next;
    }
    const image = gpu.empty([L, H], 'f32', 'imagebert.image_rows'); // [L, H]: without the class token
    gpu.copy(x, H, image, 0, L * H);
    const logits = linear(gpu, image, this.head); // [L, K]
    x.release();
    image.release();
    return logits;
  }

  /** Frees the weights; the generator must not be used afterwards. */
  dispose(): void {
    for (const t of this.owned) t.release();
  }

  private checkInputs(tokens: Int32Array, classId: number): void {
    const { codebookSize: K, imageSeqLen: L, conditionNumClasses: C } = this.config;
    if (tokens.length !== L)
      throw badInput(`tokens: this TiTok generator takes ${L} image tokens, got ${tokens.length}`);
    const bad = tokens.findIndex((t) => !(t >= 0 && t <= K));
    if (bad >= 0) throw badInput(`tokens: token ${bad} is ${tokens[bad]}; ids are codes 0 … ${K - 1} or ${K} (masked)`);
    if (!(Number.isInteger(classId) && classId >= 0 && classId <= C)) {
      throw badInput(`class id ${classId} is outside 0 … ${C} (${C} = no class, for guidance)`);
    }
  }
}

/** Rows of a checkpoint tensor, or `fallback` when it is absent (the loader then names it missing). */
function rowsOr(model: LoadedModel, name: string, fallback: number): number {
  return model.checkpoint.has(name) ? (model.checkpoint.info(name).shape[0] ?? fallback) : fallback;
}
