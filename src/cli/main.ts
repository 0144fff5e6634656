// The Stepwise command line: `npm run cli -- <command> [options]`, on the same engine as the app.
// Results go to stdout (one JSON document with --json), progress to stderr; see run.ts for exit codes.

import { LocalEngine } from '../engine/engine.ts';
import type { EngineApi } from '../engine/api.ts';
import { openNodeGpu } from '../gpu/node.ts';
import type { CliIo } from './io.ts';
import { nodeSources } from './nodeSources.ts';
import { createProgressLine } from './progressLine.ts';
import { runCli } from './run.ts';

async function main(): Promise<void> {
  const opened: { engine?: EngineApi } = {};
  const line = createProgressLine(process.stderr); // download progress of URL and Hugging Face sources
  // Ctrl-C cancels a download cleanly and stops a run before its next step; a second Ctrl-C kills.
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  const io: CliIo = {
    out: (t) => {
      line.clear();
      process.stdout.write(t + '\n');
    },
    err: (t) => {
      line.clear();
      process.stderr.write(t + '\n');
    },
    engine: () => (opened.engine ??= new LocalEngine(() => openNodeGpu(), nodeSources(line, interrupt.signal))),
    interrupt: interrupt.signal,
  };
  const code = await runCli(process.argv.slice(2), io);
  line.done();
  await opened.engine?.dispose().catch(() => undefined);
  // Dawn keeps the event loop alive while its instance exists, so exit explicitly once stdout drains.
  process.stdout.write('', () => process.exit(code));
}

await main();
