// `inspect <model>` — config summary and tensor table of a model folder, from its headers only.

import type { Command } from '../io.ts';
import { table } from '../table.ts';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export const inspectCommand: Command = {
  spec: {
    name: 'inspect',
    summary: 'config summary and tensor table of a model (shipped id, folder, URL or Hugging Face id)',
    positionals: ['model'],
    options: { json: { type: 'boolean', description: 'print one JSON document' } },
  },
  async run(args, io) {
    const s = await io.engine().inspect(args.positionals[0]);
    if (args.options.json) {
      io.out(JSON.stringify(s, null, 2));
      return 0;
    }
    const lines = [
      `model       ${s.source}`,
      `type        ${s.modelType} (${s.task})`,
      `parameters  ${s.parameters.toLocaleString('en-US')}`,
      `weights     ${formatBytes(s.fileBytes)} in the file, ${formatBytes(s.gpuBytes)} on the GPU (f32)`,
      '',
      table(
        ['config', 'value'],
        Object.entries(s.config).map(([k, v]) => [k, String(v)]),
      ),
      '',
      table(
        ['tensor', 'dtype', 'shape', 'bytes'],
        s.tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`, t.bytes]),
      ),
      ...s.warnings.map((w) => `warning: ${w}`),
    ];
    io.out(lines.join('\n'));
    return 0;
  },
};
