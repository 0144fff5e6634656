// `info` — the adapter, its features and key limits, and the kernel variants chosen for it.

import type { Command } from '../io.ts';
import { table } from '../table.ts';

export const infoCommand: Command = {
  spec: {
    name: 'info',
    summary: 'adapter, features, limits and the kernel variants chosen for it',
    options: { json: { type: 'boolean', description: 'print one JSON document' } },
  },
  async run(args, io) {
    const info = await io.engine().info();
    if (args.options.json) {
      io.out(JSON.stringify(info, null, 2));
      return 0;
    }
    const a = info.adapter;
    const lines = [
      `adapter       ${a.vendor} / ${a.architecture} (${a.description || a.device || 'no description'})`,
      `class         ${a.adapterClass}${a.isFallbackAdapter ? ' (fallback adapter)' : ''}`,
      `timing        ${info.timingSource === 'timestamp' ? 'GPU timestamps' : 'wall clock'}`,
      `features      ${a.features.join(', ')}`,
      '',
      table(
        ['limit', 'value'],
        Object.entries(a.limits).map(([k, v]) => [k, v]),
      ),
      '',
      table(
        ['kernel family', 'variant'],
        Object.entries(info.variants).map(([k, v]) => [k, v]),
      ),
    ];
    io.out(lines.join('\n'));
    return 0;
  },
};
