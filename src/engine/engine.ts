// The engine: owns the GPU device and everything computed on it — loaded models and generation
// sessions. The same class runs in-thread in Node (CLI, tests, benchmarks) and inside the Web Worker
// in the browser; the main thread never runs a kernel.

import type { Gpu } from '../gpu/gpu.ts';
import { loadModelFolder, type LoadedModel } from '../formats/modelFolder.ts';
import { ProgressAggregator } from '../formats/progress.ts';
import type { TextTokenizer } from '../formats/tokenizer.ts';
import { ALL_CHECKS } from '../kernels/selfchecks/index.ts';
import { kernelVariants } from '../kernels/variants.ts';
import type { CausalLm } from '../models/causalLm.ts';
import { loadModel, type AnyModel } from '../models/registry.ts';
import type { RvqDecoder } from '../models/rvqDecoder.ts';
import type { StepwiseSection } from '../formats/config.ts';
import { badInput, StepwiseError } from '../shared/errors.ts';
import { Rng } from '../shared/rng.ts';
import type {
  AttentionLabRequest,
  DecodedImage,
  ImageSessionInfo,
  ImageSettings,
  ImageStepView,
  AttentionLabResult,
  AttentionDeviation,
  EngineApi,
  EngineInfo,
  DiffusionSessionInfo,
  DiffusionSettings,
  DiffusionStepView,
  CachedModelRow,
  ForwardResult,
  LoadProgressCallback,
  MemoryState,
  ModelSource,
  StorageState,
  LoadedModelInfo,
  ModelSummary,
  SelftestOptions,
  SelftestProgress,
  SelftestReport,
  SelftestRow,
  TextSessionInfo,
  TextSettings,
  TextStep,
} from './api.ts';
import { runAttentionLab } from './attentionLab.ts';
import { attentionDeviation, DiffusionSession } from './diffusionSession.ts';
import { checkFits } from './capability.ts';
import { summarize } from './modelSummary.ts';
import { NO_SOURCES, type ModelSources } from './sources.ts';
import { TextSession } from './textSession.ts';
import {
  classIdOf,
  decodeTokens,
  imageGenerator,
  ImageSession,
  maskgitDeviation,
  tokenGrid,
  tokenizerCandidates,
} from './imageSession.ts';

export type GpuOpener = () => Promise<Gpu>;

interface Loaded {
  info: LoadedModelInfo;
  model: AnyModel;
  tokenizer: TextTokenizer | null;
  stepwise: StepwiseSection; // config.json's "stepwise" section (classes, tokenizer model of an image generator)
}

export class LocalEngine implements EngineApi {
  private gpu: Promise<Gpu> | null = null;
  private models = new Map<string, Loaded>();
  private sessions = new Map<string, TextSession | DiffusionSession | ImageSession>();
  private nextId = 1;
  private loading: AbortController | null = null; // the load in flight, for cancelLoad

  constructor(
    private readonly open: GpuOpener,
    private readonly sources: ModelSources = NO_SOURCES,
  ) {}

  private device(): Promise<Gpu> {
    // A failed open is not cached: the next call tries again (e.g. after the user enables WebGPU).
    this.gpu ??= this.open().catch((e: unknown) => {
      this.gpu = null;
      throw e;
    });
    return this.gpu;
  }

  async info(): Promise<EngineInfo> {
    const gpu = await this.device();
    return { adapter: gpu.adapter, timingSource: gpu.profiler.source, variants: kernelVariants(gpu) };
  }

  async selftest(options: SelftestOptions = {}, onProgress?: SelftestProgress): Promise<SelftestReport> {
    const gpu = await this.device();
    const checks = options.only
      ? ALL_CHECKS.filter((c) => options.only!.some((p) => c.name.startsWith(p)))
      : ALL_CHECKS;
    const rows: SelftestRow[] = [];
    for (const [i, check] of checks.entries()) {
      // Each check gets its own seeded stream, so one check's inputs do not depend on the others.
      const rng = new Rng((options.seed ?? 1) * 7919 + i);
      const r = await check.run(gpu, rng);
      const row: SelftestRow = {
        name: check.name,
        pass: r.pass,
        maxAbsErr: r.maxAbsErr,
        tolerance: r.tolerance,
        ms: r.ms,
        shape: r.shape,
      };
      rows.push(row);
      onProgress?.(row, i, checks.length);
    }
    return { adapter: gpu.adapter, kernels: rows };
  }

  /** Opens a source's headers (config, tensor table, tokenizer) with progress and cancellation;
   *  the size limits of the files, and with `fitOn` that GPU's limits, are checked on the lazy probe
   *  before anything is downloaded. */
  private async openSource(
    source: ModelSource,
    onProgress: LoadProgressCallback | undefined,
    fitOn?: Gpu,
  ): Promise<LoadedModel> {
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    const progress = new ProgressAggregator((overall) =>
      onProgress?.({ ...overall, files: overall.files.map((f) => ({ ...f })) }),
    );
    try {
      const { folder, probe } = await this.sources.resolve(source, {
        onProgress: progress.onProgress,
        signal: controller.signal,
      });
      const room = fitOn && { budget: fitOn.memoryBudget, used: fitOn.memory().weightBytes };
      if (probe) {
        // Sizes, headers and limits first, from the lazy view: nothing is downloaded into the cache yet.
        const headers = await loadModelFolder(probe, { requireTokenizer: false });
        if (fitOn) checkFits(headers, fitOn.adapter.limits, room);
      }
      const loaded = await loadModelFolder(folder, { requireTokenizer: false });
      if (fitOn) checkFits(loaded, fitOn.adapter.limits, room);
      return loaded;
    } finally {
      progress.stop();
      if (this.loading === controller) this.loading = null;
    }
  }

  async inspect(source: ModelSource, onProgress?: LoadProgressCallback): Promise<ModelSummary> {
    return summarize(sourceName(source), await this.openSource(source, onProgress));
  }

  async loadModel(source: ModelSource, onProgress?: LoadProgressCallback): Promise<LoadedModelInfo> {
    const name = sourceName(source);
    if (typeof source === 'string') for (const m of this.models.values()) if (m.info.source === name) return m.info;
    const gpu = await this.device();
    const folder = await this.openSource(source, onProgress, gpu);
    const model = await loadModel(gpu, folder); // on failure, it has released what it uploaded
    try {
      await gpu.sync();
    } catch (e) {
      model.lm.dispose();
      throw e;
    }
    const handle = `m${this.nextId++}`;
    const info: LoadedModelInfo = { ...summarize(name, folder), handle, gpuBytes: model.lm.weightBytes };
    this.models.set(handle, {
      info,
      model,
      tokenizer: folder.tokenizer,
      stepwise: 'stepwise' in folder.config ? folder.config.stepwise : {},
    });
    return info;
  }

  async cancelLoad(): Promise<void> {
    this.loading?.abort();
  }

  async cachedModels(): Promise<CachedModelRow[]> {
    return (await this.sources.cachedModels?.()) ?? [];
  }

  async deleteCachedModel(source: string): Promise<void> {
    await this.sources.deleteCachedModel?.(source);
  }

  async storage(): Promise<StorageState> {
    return (await this.sources.storage?.()) ?? { persisted: null, usage: null, quota: null };
  }

  async unloadModel(handle: string): Promise<void> {
    const m = this.models.get(handle);
    if (!m) return;
    for (const [id, s] of this.sessions) {
      if (s.info.model === handle) await this.closeSession(id);
    }
    m.model.lm.dispose();
    this.models.delete(handle);
  }

  private loaded(handle: string): Loaded {
    const m = this.models.get(handle);
    if (!m) throw badInput(`no loaded model "${handle}"`, 'load the model first');
    return m;
  }

  async forward(handle: string, tokens: number[]): Promise<ForwardResult> {
    const gpu = await this.device();
    const { model, info } = this.loaded(handle);
    if (model.kind !== 'causal' && model.kind !== 'diffusion') {
      throw badInput(`${info.source} is an image model; forward takes text models`, 'use generate');
    }
    const ids = Int32Array.from(tokens);
    if (tokens.length > model.lm.contextLength) {
      throw badInput(`${tokens.length} tokens are more than the model's context of ${model.lm.contextLength}`);
    }
    let logits;
    if (model.kind === 'causal') {
      const cache = model.lm.newCache(tokens.length);
      try {
        logits = model.lm.forward(ids, cache); // [T, V]
      } finally {
        cache.release();
      }
    } else {
      logits = model.lm.forward(ids, 0); // [T, V], raw (before SUBS), at σ = 0
    }
    const data = (await gpu.read(logits)) as Float32Array;
    logits.release();
    return { shape: [tokens.length, model.lm.vocabSize], logits: data };
  }

  private textModel(handle: string): { lm: CausalLm; tokenizer: TextTokenizer } {
    const { model, tokenizer, info } = this.loaded(handle);
    if (model.kind !== 'causal') {
      throw badInput(
        `${info.source} is a ${info.modelType} model; autoregressive generation needs gpt2 or llama`,
        'use a diffusion sampler',
      );
    }
    if (!tokenizer)
      throw new StepwiseError('bad-file', `${info.source} has no tokenizer.json`, 'text generation needs one');
    return { lm: model.lm, tokenizer };
  }

  async startText(handle: string, settings: TextSettings): Promise<TextSessionInfo> {
    const gpu = await this.device();
    const { lm, tokenizer } = this.textModel(handle);
    const session = TextSession.start(`s${this.nextId++}`, handle, gpu, lm, tokenizer, settings);
    this.sessions.set(session.info.id, session);
    return session.info;
  }

  private textSession(id: string): TextSession {
    const s = this.sessions.get(id);
    if (!(s instanceof TextSession)) throw badInput(`no text session "${id}"`, 'start a run first');
    return s;
  }

  private diffusionSession(id: string): DiffusionSession {
    const s = this.sessions.get(id);
    if (!(s instanceof DiffusionSession)) throw badInput(`no diffusion session "${id}"`, 'start a run first');
    return s;
  }

  async stepText(id: string): Promise<TextStep | null> {
    const s = this.textSession(id);
    return s.step().catch((e: unknown) => this.explainNonFinite(e, s.info.model));
  }

  async branchText(id: string, atStep: number, settings: TextSettings): Promise<TextSessionInfo> {
    const branch = this.textSession(id).branch(`s${this.nextId++}`, atStep, settings);
    this.sessions.set(branch.info.id, branch);
    return branch.info;
  }

  async startDiffusion(handle: string, settings: DiffusionSettings): Promise<DiffusionSessionInfo> {
    const gpu = await this.device();
    const { model, tokenizer, info } = this.loaded(handle);
    if (model.kind !== 'diffusion') {
      throw badInput(
        `${info.source} is a ${info.modelType} model; diffusion samplers need a masked-diffusion model (mdlm)`,
      );
    }
    if (!tokenizer)
      throw new StepwiseError('bad-file', `${info.source} has no tokenizer.json`, 'text generation needs one');
    const session = DiffusionSession.start(`s${this.nextId++}`, handle, gpu, model.lm, tokenizer, settings);
    this.sessions.set(session.info.id, session);
    return session.info;
  }

  async attentionDeviation(
    handle: string,
    tokens: number[],
    setting: Pick<DiffusionSettings, 'attention' | 'mergeRatio'>,
  ): Promise<AttentionDeviation> {
    const gpu = await this.device();
    const { model, info } = this.loaded(handle);
    if (model.kind !== 'diffusion') {
      throw badInput(`${info.source} is a ${info.modelType} model; attention settings apply to mdlm models`);
    }
    return attentionDeviation(gpu, model.lm, tokens, setting);
  }

  async stepDiffusion(id: string): Promise<DiffusionStepView | null> {
    const s = this.diffusionSession(id);
    return s.step().catch((e: unknown) => this.explainNonFinite(e, s.info.model));
  }

  /** A 'non-finite' error from a step, with the first weight tensor holding NaN / Inf named in its hint. */
  private explainNonFinite(e: unknown, handle: string): never {
    const warning = this.models.get(handle)?.info.warnings.find((w) => /NaN\/Inf/.test(w));
    if (!(e instanceof StepwiseError) || e.code !== 'non-finite' || !warning) throw e;
    throw new StepwiseError(e.code, e.message, `the weights are damaged: ${warning}`);
  }

  async memory(): Promise<MemoryState> {
    const gpu = await this.device();
    const { liveBytes, pooledBytes, weightBytes, weightBuffers } = gpu.memory();
    return { weightBytes, weightBuffers, liveBytes, pooledBytes };
  }

  async attentionLab(request: AttentionLabRequest): Promise<AttentionLabResult> {
    const gpu = await this.device();
    // The 'model' input names a loaded model; the lab checks that it is one it can capture from.
    const m = request.input === 'model' && request.model ? this.models.get(request.model.handle) : undefined;
    return runAttentionLab(gpu, request, m ? { source: m.info.source, model: m.model, tokenizer: m.tokenizer } : null);
  }

  async startImage(handle: string, settings: ImageSettings): Promise<ImageSessionInfo> {
    const gpu = await this.device();
    const gen = this.loaded(handle);
    const generator = imageGenerator(gen.model, gen.stepwise, gen.info.source);
    const tokenizer = await this.imageTokenizer(gen.info.source, gen.stepwise);
    const decoder = this.rvqDecoder(tokenizer);
    const grid = tokenGrid(decoder, generator, [gen.info.source, this.loaded(tokenizer).info.source]);
    const ids = { model: handle, tokenizer };
    const session = ImageSession.start(`s${this.nextId++}`, ids, gpu, generator, decoder, grid, settings);
    this.sessions.set(session.info.id, session);
    return session.info;
  }

  async stepImage(id: string): Promise<ImageStepView | null> {
    const s = this.sessions.get(id);
    if (!(s instanceof ImageSession)) throw badInput(`no image session "${id}"`, 'start a run first');
    return s.step().catch((e: unknown) => this.explainNonFinite(e, s.info.model));
  }

  async decodeImage(tokenizer: string, tokens: Int32Array, depths: number): Promise<DecodedImage> {
    return decodeTokens(await this.device(), this.rvqDecoder(tokenizer), tokens, depths);
  }

  async imageAttentionDeviation(
    handle: string,
    tokens: Int32Array,
    settings: ImageSettings,
  ): Promise<AttentionDeviation> {
    const gpu = await this.device();
    const gen = this.loaded(handle);
    const generator = imageGenerator(gen.model, gen.stepwise, gen.info.source);
    if (generator.kind !== 'maskgit') {
      throw badInput(`${gen.info.source}: attention settings apply to the MaskGIT generator`);
    }
    const classId = classIdOf(settings.className, generator.classes);
    return maskgitDeviation(gpu, generator.lm, tokens, classId, settings);
  }

  /** Loads the RVQ tokenizer an image generator names (stepwise.tokenizer_model): beside the
   *  generator's folder or URL first, then as a shipped model. */
  private async imageTokenizer(generatorSource: string, stepwise: StepwiseSection): Promise<string> {
    const name = stepwise.tokenizerModel;
    if (!name) {
      throw badInput(`${generatorSource} names no image tokenizer (config.json stepwise.tokenizer_model)`);
    }
    let firstError: unknown = null;
    for (const source of tokenizerCandidates(generatorSource, name)) {
      try {
        return (await this.loadModel(source)).handle;
      } catch (e) {
        firstError ??= e;
      }
    }
    throw firstError;
  }

  private rvqDecoder(handle: string): RvqDecoder {
    const { model, info } = this.loaded(handle);
    if (model.kind !== 'image-tokenizer') {
      throw badInput(`${info.source} is a ${info.modelType} model, not an RVQ image tokenizer`);
    }
    return model.lm;
  }

  async closeSession(id: string): Promise<void> {
    this.sessions.get(id)?.close();
    this.sessions.delete(id);
  }

  async dispose(): Promise<void> {
    for (const id of [...this.sessions.keys()]) await this.closeSession(id);
    for (const h of [...this.models.keys()]) await this.unloadModel(h);
    const gpu = this.gpu;
    this.gpu = null;
    if (gpu) (await gpu.catch(() => null))?.destroy();
  }
}

function sourceName(source: ModelSource): string {
  return typeof source === 'string' ? source : source.name;
}
