// Command-line parsing against a typed spec: every command declares its options, their types and
// ranges, so a typo or a non-number is rejected with one line naming the option, never ignored.

import { badInput } from '../shared/errors.ts';

export type OptionType = 'boolean' | 'string' | 'int' | 'number';

export interface OptionSpec {
  type: OptionType;
  description: string; // one line for --help
  min?: number; // inclusive bounds for int/number
  max?: number;
  choices?: readonly string[]; // allowed values for string
}

export interface CommandSpec {
  name: string;
  summary: string; // one line for the command list
  positionals?: string[]; // names of required positional arguments, in order
  options: Record<string, OptionSpec>;
}

export interface ParsedArgs {
  command: string;
  positionals: string[];
  options: Record<string, string | number | boolean>;
}

/** Parses argv (without node and script) for one of `commands`. Throws bad-input errors. */
export function parseArgs(argv: readonly string[], commands: readonly CommandSpec[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === '') {
    throw badInput(`no command given`, `try one of: ${commands.map((c) => c.name).join(', ')}`);
  }
  const spec = commands.find((c) => c.name === command);
  if (!spec) {
    throw badInput(`unknown command "${command}"`, `try one of: ${commands.map((c) => c.name).join(', ')}`);
  }
  const positionals: string[] = [];
  const options: Record<string, string | number | boolean> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const opt = Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
    if (!opt) {
      const known = Object.keys(spec.options).map((o) => `--${o}`);
      throw badInput(
        `unknown option "--${name}" for "${command}"`,
        known.length ? `options: ${known.join(', ')}` : 'it takes no options',
      );
    }
    if (name in options) throw badInput(`option --${name} given twice`);
    if (opt.type === 'boolean') {
      if (eq !== -1) throw badInput(`option --${name} takes no value`);
      options[name] = true;
      continue;
    }
    let raw: string | undefined;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else {
      raw = rest[i + 1];
      i++;
    }
    if (raw === undefined) throw badInput(`option --${name} needs a value`);
    options[name] = convert(name, raw, opt);
  }
  const wanted = spec.positionals ?? [];
  if (positionals.length < wanted.length) {
    throw badInput(`"${command}" needs <${wanted[positionals.length]}>`, `usage: ${usage(spec)}`);
  }
  if (positionals.length > wanted.length) {
    throw badInput(`unexpected argument "${positionals[wanted.length]}" for "${command}"`, `usage: ${usage(spec)}`);
  }
  return { command, positionals, options };
}

function convert(name: string, raw: string, opt: OptionSpec): string | number {
  if (opt.type === 'string') {
    if (opt.choices && !opt.choices.includes(raw)) {
      throw badInput(`--${name} must be one of ${opt.choices.join(', ')}; got "${raw}"`);
    }
    return raw;
  }
  const trimmed = raw.trim();
  const value = trimmed === '' ? NaN : Number(trimmed);
  if (!Number.isFinite(value)) throw badInput(`--${name} must be a number; got "${raw}"`);
  if (opt.type === 'int' && !Number.isInteger(value)) throw badInput(`--${name} must be a whole number; got "${raw}"`);
  if (opt.min !== undefined && value < opt.min) throw badInput(`--${name} must be ≥ ${opt.min}; got ${raw}`);
  if (opt.max !== undefined && value > opt.max) throw badInput(`--${name} must be ≤ ${opt.max}; got ${raw}`);
  return value;
}

export function usage(spec: CommandSpec): string {
  const pos = (spec.positionals ?? []).map((p) => `<${p}>`).join(' ');
  const opts = Object.entries(spec.options)
    .map(([n, o]) =>
      o.type === 'boolean' ? `[--${n}]` : `[--${n} ${o.choices ? o.choices.join('|') : o.type.toUpperCase()}]`,
    )
    .join(' ');
  return [spec.name, pos, opts].filter(Boolean).join(' ');
}

export function helpText(commands: readonly CommandSpec[]): string {
  const lines = ['usage: npm run cli -- <command> [options]', '', 'commands:'];
  for (const c of commands) {
    lines.push(`  ${usage(c)}`, `      ${c.summary}`);
    for (const [n, o] of Object.entries(c.options)) lines.push(`      --${n}  ${o.description}`);
  }
  return lines.join('\n');
}
