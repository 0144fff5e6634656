// Moving checkpoint tensors onto the GPU with the checks a model needs: the tensor exists under the
// architecture's name, its shape is the one the config implies, and it is converted to f32 (F16 and
// BF16 checkpoints are widened on read). Mismatches are the checkpoint's fault: 'bad-file' errors
// naming the tensor and both shapes.
//
// A failed load leaves nothing behind: whatever goes wrong inside the loader (a missing or misshapen
// tensor, a damaged file, the GPU refusing an allocation) first destroys every buffer it uploaded, then
// rethrows. Work a model does beside the loader goes through `guard`, for the same reason.

import type { Gpu } from '../gpu/gpu.ts';
import { numel, shapeString, type Tensor } from '../gpu/tensor.ts';
import type { CheckpointReader } from '../formats/checkpoint.ts';
import { StepwiseError } from '../shared/errors.ts';

export class WeightLoader {
  private uploaded: Tensor[] = [];
  bytes = 0; // GPU bytes uploaded so far

  constructor(
    private readonly gpu: Gpu,
    private readonly checkpoint: CheckpointReader,
    private readonly what: string, // e.g. "gpt2 config (n_embd=256)", for messages
  ) {}

  has(name: string): boolean {
    return this.checkpoint.has(name);
  }

  /** Host copy of a tensor as f32, after checking its shape. */
  host(name: string, shape: readonly number[]): Promise<Float32Array> {
    return this.guard(() => this.read(name, shape));
  }

  private async read(name: string, shape: readonly number[]): Promise<Float32Array> {
    // An allocation the GPU refused stops the load here, not after every other weight is uploaded.
    await this.gpu.checkAllocations();
    if (!this.checkpoint.has(name)) {
      const files = this.checkpoint.files;
      const where = files.length === 1 ? files[0].name : `the checkpoint (${files.length} shards)`;
      throw new StepwiseError(
        'bad-file',
        `${where}: no tensor "${name}", which the ${this.what} needs`,
        'check that the weights belong to this config.json',
      );
    }
    const info = this.checkpoint.info(name);
    if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
      throw new StepwiseError(
        'bad-file',
        `${info.file}: tensor "${name}" has shape ${shapeString(info.shape)}, but the ${this.what} needs ${shapeString(shape)}`,
        'check that the weights belong to this config.json',
      );
    }
    const t = await this.checkpoint.readTensor(name);
    if (!(t.data instanceof Float32Array)) {
      throw new StepwiseError(
        'bad-file',
        `${info.file}: tensor "${name}" is ${t.dtype}; weights must be F32, F16 or BF16`,
      );
    }
    return t.data;
  }

  /** Uploads a host array as a persistent GPU tensor owned by this loader. */
  upload(data: Float32Array, shape: readonly number[], label: string): Tensor {
    return this.adopt(this.guardSync(() => this.gpu.persistent(data, shape, label)));
  }

  /** Takes ownership of a persistent tensor made outside the loader (a RoPE table). */
  adopt(t: Tensor): Tensor {
    this.uploaded.push(t);
    this.bytes += numel(t.shape) * 4;
    return t;
  }

  /** Reads, checks and uploads one tensor. */
  async tensor(name: string, shape: readonly number[]): Promise<Tensor> {
    return this.upload(await this.host(name, shape), shape, name);
  }

  /** Runs `work`; if it throws, releases everything uploaded so far before rethrowing. */
  async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      this.release();
      throw e;
    }
  }

  /** `guard` for synchronous work. */
  guardSync<T>(work: () => T): T {
    try {
      return work();
    } catch (e) {
      this.release();
      throw e;
    }
  }

  /** Every tensor uploaded through this loader, once each allocation is known to have succeeded
   *  (the model releases them on dispose). A refused allocation releases them all and throws. */
  async all(): Promise<Tensor[]> {
    await this.guard(() => this.gpu.checkAllocations());
    return this.uploaded;
  }

  /** Destroys every tensor uploaded so far (after a failure). */
  release(): void {
    for (const t of this.uploaded) t.release();
    this.uploaded = [];
    this.bytes = 0;
  }
}

/** Splits the columns of a row-major [rows, n·cols] matrix into n matrices [rows, cols]
 *  (GPT-2's fused c_attn weight [C, 3C] → Wq, Wk, Wv). */
export function splitColumns(data: Float32Array, rows: number, parts: number): Float32Array[] {
  const width = data.length / rows;
  const cols = width / parts;
  const out = Array.from({ length: parts }, () => new Float32Array(rows * cols));
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < parts; p++)
      out[p].set(data.subarray(r * width + p * cols, r * width + (p + 1) * cols), r * cols);
  }
  return out;
}
