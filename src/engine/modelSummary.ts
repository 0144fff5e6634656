// The inspector's view of a model folder: key config fields, the tensor table and sizes. Computed
// from the headers only, so it works before (and without) loading anything onto the GPU.

import type { LoadedModel } from '../formats/modelFolder.ts';
import type { ModelSummary, TensorRow } from './api.ts';

const TASK_OF: Record<string, string> = { gpt2: 'text-generation', llama: 'text-generation', mdlm: 'text-diffusion' };

export function summarize(source: string, m: LoadedModel): ModelSummary {
  const tensors: TensorRow[] = m.checkpoint.names().map((name) => {
    const t = m.checkpoint.info(name);
    return { name, dtype: t.dtype, shape: t.shape, bytes: t.end - t.begin, file: t.file };
  });
  const config: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(m.config.raw)) {
    if (typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length < 80)) config[k] = v;
    // Short lists of numbers (an image decoder's channels per level) as one value.
    else if (Array.isArray(v) && v.length <= 16 && v.every((n) => typeof n === 'number'))
      config[k] = `[${v.join(', ')}]`;
  }
  const parameters = m.checkpoint.names().reduce((n, name) => n + m.checkpoint.info(name).numel, 0);
  return {
    source,
    modelType: m.config.modelType,
    task: m.config.stepwise.task ?? TASK_OF[m.config.modelType] ?? 'unknown',
    config,
    parameters,
    fileBytes: tensors.reduce((n, t) => n + t.bytes, 0),
    gpuBytes: parameters * 4,
    tensors,
    warnings: [...m.warnings],
    ...(m.config.stepwise.classNames ? { classes: [...m.config.stepwise.classNames] } : {}),
  };
}
