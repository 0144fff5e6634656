// Dispatch of the command line: parse, run the command, map errors to exit codes.
// Exit 0 on success, 2 on bad input (one `error:` line on stderr, no stack trace), 130 when cancelled, 1 on an internal
// failure.

import { isStepwiseError, isUserError } from '../shared/errors.ts';
import { helpText, parseArgs } from './args.ts';
import { forwardCommand } from './commands/forward.ts';
import { decodeCommand } from './commands/decode.ts';
import { generateCommand } from './commands/generate.ts';
import { infoCommand } from './commands/info.ts';
import { inspectCommand } from './commands/inspect.ts';
import { selftestCommand } from './commands/selftest.ts';
import type { Command, CliIo } from './io.ts';

export const COMMANDS: Command[] = [
  infoCommand,
  selftestCommand,
  inspectCommand,
  forwardCommand,
  generateCommand,
  decodeCommand,
];

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(helpText(COMMANDS.map((c) => c.spec)));
    return argv.length === 0 ? 2 : 0;
  }
  try {
    const args = parseArgs(
      argv,
      COMMANDS.map((c) => c.spec),
    );
    const command = COMMANDS.find((c) => c.spec.name === args.command)!;
    return await command.run(args, io);
  } catch (e) {
    if (isUserError(e) && isStepwiseError(e)) {
      io.err(`error: ${e.line}`);
      return 2;
    }
    if (isStepwiseError(e) && e.code === 'cancelled') {
      io.err(`cancelled: ${e.message}`);
      return 130; // the shell's convention for a run stopped by Ctrl-C
    }
    const message = e instanceof Error ? e.message : String(e);
    io.err(`error: internal failure: ${message}`);
    if (process.env.STEPWISE_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
    return 1;
  }
}
