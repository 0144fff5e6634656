// Stepping a run from the command line: one step at a time until the run ends, or until Ctrl-C, which
// stops it before the next step so that what was made so far can still be printed.

import type { CliIo } from '../io.ts';

/** Calls `step` until it returns null (the run is over) or Ctrl-C; true when Ctrl-C stopped it. */
export async function stepUntilDone<T>(
  io: CliIo,
  step: () => Promise<T | null>,
  onStep: (s: T) => void,
): Promise<boolean> {
  for (;;) {
    if (io.interrupt.aborted) return true;
    const s = await step();
    if (s === null) return false;
    onStep(s);
  }
}

/** The stderr line for a run stopped by Ctrl-C. */
export function stoppedLine(steps: number): string {
  return `stopped: Ctrl-C after ${steps} step${steps === 1 ? '' : 's'}; printing what was made`;
}

/** The exit code of a run stopped by Ctrl-C (the shell's convention for SIGINT). */
export const INTERRUPTED = 130;
