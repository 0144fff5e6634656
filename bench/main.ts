// Benchmarks: `npm run bench -- <name> [--json] [--reps N] [--warmup N] [--max-ms MS]`.
// Each benchmark is a module bench/<name>.ts exporting `benchmark` (see harness.ts); register it in
// BENCHMARKS below. Human output goes to stdout, or with --json exactly one JSON document; progress
// goes to stderr. Exit 0 on success, 2 on bad arguments (one line `error: ...`), 1 on a failure.

import { openNodeGpu } from '../src/gpu/node.ts';
import { isUserError } from '../src/shared/errors.ts';
import type { BenchContext, Benchmark } from './harness.ts';

const BENCHMARKS: Record<string, () => Promise<{ benchmark: Benchmark }>> = {
  matmul: () => import('./matmul.ts'),
  ar: () => import('./ar.ts'),
  diffusion: () => import('./diffusion.ts'),
  attention: () => import('./attention.ts'),
  image: () => import('./image.ts'),
};

interface Args {
  name: string;
  json: boolean;
  reps: number;
  warmup: number;
  maxMs: number;
}

class UsageError extends Error {}

const USAGE = `usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}> [--json] [--reps N] [--warmup N] [--max-ms MS]
  --json        print one JSON document on stdout (progress stays on stderr)
  --reps N      timed runs per contender, median reported (default 7, at least 5)
  --warmup N    untimed runs per contender first (default 2, at least 2)
  --max-ms MS   skip contenders slower than this per run (default 2500)`;

function parseArgs(argv: string[]): Args {
  const args: Args = { name: '', json: false, reps: 7, warmup: 2, maxMs: 2500 };
  const numeric: Record<string, { key: 'reps' | 'warmup' | 'maxMs'; min: number }> = {
    '--reps': { key: 'reps', min: 5 },
    '--warmup': { key: 'warmup', min: 2 },
    '--max-ms': { key: 'maxMs', min: 1 },
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') args.json = true;
    else if (arg in numeric) {
      const { key, min } = numeric[arg];
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < min)
        throw new UsageError(`${arg} needs an integer ≥ ${min}, got ${argv[i] ?? 'nothing'}`);
      args[key] = value;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg} (${USAGE.split('\n')[0]})`);
    else if (args.name) throw new UsageError(`one benchmark at a time: got "${args.name}" and "${arg}"`);
    else args.name = arg;
  }
  if (!args.name) throw new UsageError(`name a benchmark: ${Object.keys(BENCHMARKS).join(', ')}`);
  if (!(args.name in BENCHMARKS)) {
    throw new UsageError(`unknown benchmark "${args.name}" (known: ${Object.keys(BENCHMARKS).join(', ')})`);
  }
  return args;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    const lines = [USAGE, 'benchmarks:'];
    for (const [name, load] of Object.entries(BENCHMARKS))
      lines.push(`  ${name.padEnd(12)}  ${(await load()).benchmark.summary}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  }
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return 2;
  }
  const { benchmark } = await BENCHMARKS[args.name]();
  const gpu = await openNodeGpu();
  const log = (line: string) => process.stderr.write(`${args.name}: ${line}\n`);
  const ctx: BenchContext = { gpu, warmup: args.warmup, reps: args.reps, maxMs: args.maxMs, log };
  try {
    const output = await benchmark.run(ctx);
    process.stdout.write(args.json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text}\n`);
    for (const f of output.failures) process.stderr.write(`error: ${f}\n`);
    return output.failures.length > 0 ? 1 : 0;
  } finally {
    gpu.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(isUserError(e) ? 2 : 1);
  },
);
