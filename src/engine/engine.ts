// The engine: owns the GPU device and everything computed on it — loaded models and generation
// sessions. The same class runs in-thread in Node (CLI, tests, benchmarks) and inside the Web Worker
// in the browser; the main thread never runs a kernel.

import type { Gpu } from '../gpu/gpu.ts';
import { loadModelFolder, type LoadedModel, type ModelFolder } from '../formats/modelFolder.ts';
import type { TextTokenizer } from '../formats/tokenizer.ts';
import { ALL_CHECKS } from '../kernels/selfchecks/index.ts';
import { kernelVariants } from '../kernels/variants.ts';
import type { CausalLm } from '../models/causalLm.ts';
import type { Mdlm } from '../models/mdlm.ts';
import { loadModel } from '../models/registry.ts';
import { badInput, StepwiseError } from '../shared/errors.ts';
import { Rng } from '../shared/rng.ts';
import type {
  EngineApi,
  EngineInfo,
  DiffusionSessionInfo,
  DiffusionSettings,
  DiffusionStepView,
  ForwardResult,
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
import { DiffusionSession } from './diffusionSession.ts';
import { summarize } from './modelSummary.ts';
import { TextSession } from './textSession.ts';

export type GpuOpener = () => Promise<Gpu>;
/** Finds a model folder for a source string: a shipped id, a path, a URL, a Hugging Face id. */
export type FolderResolver = (source: string) => Promise<ModelFolder>;

async function noModelSources(source: string): Promise<ModelFolder> {
  throw new StepwiseError('not-found', `cannot open "${source}": this engine was started without model sources`);
}

interface Loaded {
  info: LoadedModelInfo;
  model: { kind: 'causal'; lm: CausalLm } | { kind: 'diffusion'; lm: Mdlm };
  tokenizer: TextTokenizer | null;
}

export class LocalEngine implements EngineApi {
  private gpu: Promise<Gpu> | null = null;
  private models = new Map<string, Loaded>();
  private sessions = new Map<string, TextSession | DiffusionSession>();
  private nextId = 1;

  constructor(
    private readonly open: GpuOpener,
    private readonly resolve: FolderResolver = noModelSources,
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

  private async openFolder(source: string, requireTokenizer: boolean): Promise<LoadedModel> {
    const folder = await this.resolve(source);
    return loadModelFolder(folder, { requireTokenizer });
  }

  async inspect(source: string): Promise<ModelSummary> {
    return summarize(source, await this.openFolder(source, false));
  }

  async loadModel(source: string): Promise<LoadedModelInfo> {
    for (const m of this.models.values()) if (m.info.source === source) return m.info;
    const gpu = await this.device();
    const folder = await this.openFolder(source, false); // forward needs no tokenizer; text sessions check
    const model = await loadModel(gpu, folder);
    await gpu.sync();
    const handle = `m${this.nextId++}`;
    const info: LoadedModelInfo = { ...summarize(source, folder), handle, gpuBytes: model.lm.weightBytes };
    this.models.set(handle, { info, model, tokenizer: folder.tokenizer });
    return info;
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
    const { model } = this.loaded(handle);
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
    return this.textSession(id).step();
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

  async stepDiffusion(id: string): Promise<DiffusionStepView | null> {
    return this.diffusionSession(id).step();
  }

  async closeSession(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (s instanceof TextSession) s.close();
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
