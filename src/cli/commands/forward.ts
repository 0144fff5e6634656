// `forward --model M --tokens 1,2,3` — the model's raw logits for every position, shape [T, V].

import { badInput } from '../../shared/errors.ts';
import type { Command } from '../io.ts';

/** "1,2,3" → [1, 2, 3]; every entry a whole number ≥ 0. */
export function parseTokenList(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === ''))
    throw badInput(`--tokens must be comma-separated ids, e.g. 1,2,3; got "${text}"`);
  return parts.map((p) => {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 0 || !/^\d+$/.test(p))
      throw badInput(`--tokens: "${p}" is not a token id (a whole number ≥ 0)`);
    return v;
  });
}

export const forwardCommand: Command = {
  spec: {
    name: 'forward',
    summary: 'raw logits of a model for every position of a token sequence',
    options: {
      model: { type: 'string', description: 'shipped id, folder, URL or Hugging Face id' },
      tokens: { type: 'string', description: 'comma-separated token ids, e.g. 1,2,3' },
      json: { type: 'boolean', description: 'print {"shape": [T, V], "logits": [[...]]}' },
    },
  },
  async run(args, io) {
    if (typeof args.options.model !== 'string') throw badInput('forward needs --model');
    if (typeof args.options.tokens !== 'string') throw badInput('forward needs --tokens (e.g. --tokens 1,2,3)');
    const tokens = parseTokenList(args.options.tokens);
    const engine = io.engine();
    const model = await engine.loadModel(args.options.model);
    for (const w of model.warnings) io.err(`warning: ${w}`);
    const r = await engine.forward(model.handle, tokens);
    const [T, V] = r.shape;
    const rows = Array.from({ length: T }, (_, t) => Array.from(r.logits.subarray(t * V, (t + 1) * V)));
    if (args.options.json) {
      io.out(JSON.stringify({ shape: r.shape, logits: rows }));
      return 0;
    }
    io.out(`logits [${T}, ${V}]`);
    rows.forEach((row, t) => {
      const best = row.reduce((b, v, i) => (v > row[b] ? i : b), 0);
      io.out(
        `  position ${t} (token ${tokens[t]}): argmax ${best} (${row[best].toFixed(4)}), first values ${row
          .slice(0, 4)
          .map((v) => v.toFixed(4))
          .join(' ')}`,
      );
    });
    return 0;
  },
};
