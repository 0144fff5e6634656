// `selftest` — every kernel against its float64 CPU reference on random inputs. Exit 1 if any fails.

import type { Command } from '../io.ts';
import { table } from '../table.ts';

export const selftestCommand: Command = {
  spec: {
    name: 'selftest',
    summary: 'run every kernel against its float64 CPU reference on random inputs',
    options: {
      json: { type: 'boolean', description: 'print one JSON document' },
      seed: { type: 'int', min: 0, max: 2 ** 31 - 1, description: 'seed for the random inputs (default 1)' },
      only: { type: 'string', description: 'comma-separated name prefixes of the checks to run' },
    },
  },
  async run(args, io) {
    const only = typeof args.options.only === 'string' ? args.options.only.split(',').filter(Boolean) : undefined;
    const report = await io
      .engine()
      .selftest({ seed: (args.options.seed as number | undefined) ?? 1, only }, (row, i, n) =>
        io.err(`[${i + 1}/${n}] ${row.pass ? 'pass' : 'FAIL'}  ${row.name}  ${row.ms.toFixed(1)} ms`),
      );
    const failed = report.kernels.filter((k) => !k.pass);
    if (args.options.json) {
      io.out(JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2));
    } else {
      io.out(
        table(
          ['kernel', 'result', 'max abs err', 'tolerance', 'ms', 'shape'],
          report.kernels.map((k) => [
            k.name,
            k.pass ? 'pass' : 'FAIL',
            k.maxAbsErr.toExponential(2),
            k.tolerance.toExponential(2),
            Number(k.ms.toFixed(1)),
            k.shape,
          ]),
        ) +
          `\n\n${report.kernels.length - failed.length}/${report.kernels.length} passed on ${report.adapter.vendor} / ${report.adapter.architecture}`,
      );
    }
    if (report.kernels.length === 0) {
      io.err('error: no kernel matched --only');
      return 2;
    }
    return failed.length === 0 ? 0 : 1;
  },
};
