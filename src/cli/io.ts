// What a command may do to the outside world: write stdout (results) and stderr (progress), and
// open the engine. Tests substitute their own.

import type { EngineApi } from '../engine/api.ts';
import type { CommandSpec, ParsedArgs } from './args.ts';

export interface CliIo {
  out(text: string): void; // results: one JSON document with --json, else human text
  err(text: string): void; // progress and notices
  engine(): EngineApi; // opened on first use
  interrupt: AbortSignal; // aborted by Ctrl-C: downloads are cancelled, runs stop before their next step
}

export interface Command {
  spec: CommandSpec;
  /** Returns the exit code: 0 success, 1 internal failure, 130 stopped by Ctrl-C (bad input throws instead). */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
