// A checkpoint: one model.safetensors file, or several shards tied together by
// model.safetensors.index.json. CheckpointReader finds a tensor by name across the shards, rejects a
// name found in two shards, and (with an index) checks that every listed tensor is where the index says.

import { badFile, notFound } from './fileErrors.ts';
import type { CheckpointIndex } from './checkpointIndex.ts';
import { nonFiniteWarning, type SafetensorsFile, type Tensor, type TensorInfo } from './safetensors.ts';
import { quote } from './safetensorsHeader.ts';

export interface CheckpointOptions {
  /** Called with one line per tensor holding NaN / Inf values (damaged weights). */
  onWarning?: (message: string) => void;
}

export class CheckpointReader {
  private readonly byName = new Map<string, SafetensorsFile>();

  /**
   * @param files the opened shards (or the single file)
   * @param index the parsed index and its file name, for sharded checkpoints
   */
  constructor(
    readonly files: SafetensorsFile[],
    index?: { file: string; index: CheckpointIndex },
    private readonly options: CheckpointOptions = {},
  ) {
    for (const f of files) {
      for (const name of f.names()) {
        const other = this.byName.get(name);
        if (other) {
          throw badFile(f.name, `tensor ${quote(name)} is also in ${other.name}; a tensor may live in only one shard`);
        }
        this.byName.set(name, f);
      }
    }
    if (index) this.checkIndex(index.file, index.index);
  }

  private checkIndex(file: string, index: CheckpointIndex): void {
    const byFile = new Map(this.files.map((f) => [f.name, f]));
    for (const shard of index.shards) {
      if (!byFile.has(shard))
        throw notFound(shard, `shard listed in ${file} is missing`, 'download every shard of the checkpoint');
    }
    for (const [name, shard] of index.weightMap) {
      const holder = this.byName.get(name);
      if (holder?.name !== shard) {
        // Tensors in a shard but not in the map are tolerated (the Hugging Face loader ignores them too).
        throw badFile(
          file,
          `lists tensor ${quote(name)} in ${shard}, but ${holder ? `it is in ${holder.name}` : 'that shard does not hold it'}`,
        );
      }
    }
  }

  /** All tensor names, shard by shard in file order. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Header entry of a tensor plus the file that holds it; not-found when absent. */
  info(name: string): TensorInfo & { file: string } {
    const f = this.fileOf(name);
    return { ...f.info(name), file: f.name };
  }

  /** Reads one tensor (see SafetensorsFile.readTensor); reports NaN / Inf through onWarning. */
  async readTensor(name: string): Promise<Tensor> {
    const f = this.fileOf(name);
    const t = await f.readTensor(name);
    const warning = nonFiniteWarning(f.name, t);
    if (warning) this.options.onWarning?.(warning);
    return t;
  }

  private fileOf(name: string): SafetensorsFile {
    const f = this.byName.get(name);
    if (!f) {
      const where = this.files.length === 1 ? this.files[0].name : `the checkpoint (${this.files.length} shards)`;
      throw notFound(
        where,
        `no tensor named ${quote(name)}`,
        'the checkpoint does not match the architecture in config.json',
      );
    }
    return f;
  }
}
