import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStepwiseError } from '../shared/errors.ts';
import { parseArgs, type CommandSpec } from './args.ts';

const specs: CommandSpec[] = [
  {
    name: 'gen',
    summary: 'test command',
    positionals: ['model'],
    options: {
      json: { type: 'boolean', description: '' },
      steps: { type: 'int', min: 1, max: 1000, description: '' },
      temperature: { type: 'number', min: 0, description: '' },
      sampler: { type: 'string', choices: ['a', 'b'], description: '' },
    },
  },
  { name: 'info', summary: 'x', options: {} },
];

function err(argv: string[]): string {
  try {
    parseArgs(argv, specs);
  } catch (e) {
    expect(isStepwiseError(e) && e.code).toBe('bad-input');
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(argv)}`);
}

describe('parseArgs', () => {
  it('parses typed options in both spellings', () => {
    const a = parseArgs(['gen', 'm', '--steps', '12', '--temperature=0.5', '--json', '--sampler', 'b'], specs);
    expect(a).toEqual({
      command: 'gen',
      positionals: ['m'],
      options: { steps: 12, temperature: 0.5, json: true, sampler: 'b' },
    });
  });

  it('rejects what it does not know or cannot convert, naming it', () => {
    expect(err([])).toMatch(/no command/);
    expect(err(['nope'])).toMatch(/unknown command "nope"/);
    expect(err(['gen', 'm', '--bogus'])).toMatch(/unknown option "--bogus"/);
    expect(err(['gen', 'm', '--steps', 'ten'])).toMatch(/--steps must be a number/);
    expect(err(['gen', 'm', '--steps', '1.5'])).toMatch(/whole number/);
    expect(err(['gen', 'm', '--steps', '0'])).toMatch(/≥ 1/);
    expect(err(['gen', 'm', '--steps'])).toMatch(/needs a value/);
    expect(err(['gen', 'm', '--temperature', '-1'])).toMatch(/≥ 0/);
    expect(err(['gen', 'm', '--sampler', 'c'])).toMatch(/one of a, b/);
    expect(err(['gen'])).toMatch(/needs <model>/);
    expect(err(['gen', 'm', 'extra'])).toMatch(/unexpected argument "extra"/);
    expect(err(['gen', 'm', '--json=1'])).toMatch(/takes no value/);
    expect(err(['gen', 'm', '--json', '--json'])).toMatch(/given twice/);
    expect(err(['info', '--toString'])).toMatch(/unknown option/);
  });

  it('on random argument lists, returns a valid parse or a bad-input error, never anything else', () => {
    const token = fc.oneof(
      fc.constantFrom(
        'gen',
        'info',
        'm',
        '--json',
        '--steps',
        '--temperature',
        '--sampler',
        '--',
        '--=',
        'a',
        '1',
        '-3',
        '1e3',
        'NaN',
        'Infinity',
        '--__proto__',
        '--constructor',
      ),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (argv) => {
        try {
          const r = parseArgs(argv, specs);
          const spec = specs.find((s) => s.name === r.command)!;
          for (const [k, v] of Object.entries(r.options)) {
            const o = spec.options[k];
            expect(o).toBeDefined();
            if (o.type === 'int') expect(Number.isInteger(v)).toBe(true);
            if (o.type === 'number' || o.type === 'int') {
              expect(Number.isFinite(v)).toBe(true);
              if (o.min !== undefined) expect(v as number).toBeGreaterThanOrEqual(o.min);
            }
          }
        } catch (e) {
          expect(isStepwiseError(e) && e.code === 'bad-input').toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
