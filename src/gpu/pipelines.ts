// Pipeline cache keyed by shader source + override constants + entry point: a kernel compiles once
// per distinct specialisation, however many times it is dispatched.

export interface PipelineKey {
  label: string; // kernel name, used for GPU object labels and profiling
  code: string; // WGSL source
  constants?: Record<string, number>; // `override` values baked into the pipeline
  entryPoint?: string; // defaults to "main"
}

export class PipelineCache {
  private modules = new Map<string, GPUShaderModule>();
  private pipelines = new Map<string, GPUComputePipeline>();
  private errors: Promise<GPUError | null>[] = [];

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  get(key: PipelineKey): GPUComputePipeline {
    const constants = key.constants ?? {};
    const entryPoint = key.entryPoint ?? 'main';
    const constKey = Object.keys(constants)
      .sort()
      .map((k) => `${k}=${constants[k]}`)
      .join(',');
    const id = `${key.code}\u0000${constKey}\u0000${entryPoint}`;
    const hit = this.pipelines.get(id);
    if (hit) return hit;

    this.device.pushErrorScope('validation');
    let module = this.modules.get(key.code);
    if (!module) {
      module = this.device.createShaderModule({ label: key.label, code: key.code });
      this.modules.set(key.code, module);
    }
    const pipeline = this.device.createComputePipeline({
      label: `${key.label}${constKey ? ` {${constKey}}` : ''}`,
      layout: 'auto',
      compute: { module, entryPoint, constants },
    });
    this.errors.push(this.device.popErrorScope());
    this.pipelines.set(id, pipeline);
    return pipeline;
  }

  /** Compilation errors collected since the last call (shader or pipeline validation). */
  async takeErrors(): Promise<GPUError[]> {
    const pending = this.errors;
    this.errors = [];
    const results = await Promise.all(pending);
    return results.filter((e): e is GPUError => e !== null);
  }
}
