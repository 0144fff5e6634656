// `generate --model M --prompt TEXT …` — autoregressive text generation, streamed to stderr as it goes.

import type { KernelTiming } from '../../engine/api.ts';
import { badInput } from '../../shared/errors.ts';
import type { Command } from '../io.ts';

export const generateCommand: Command = {
  spec: {
    name: 'generate',
    summary: 'generate text from a prompt, one token per step',
    options: {
      model: { type: 'string', description: 'shipped id, folder, URL or Hugging Face id' },
      prompt: { type: 'string', description: 'text to continue (empty: start from <|endoftext|>)' },
      'max-tokens': { type: 'int', min: 1, max: 100_000, description: 'tokens to generate (default 64)' },
      temperature: { type: 'number', min: 0, max: 100, description: '0 = greedy (default 0.8)' },
      'top-k': { type: 'int', min: 0, description: 'keep the k most likely tokens, 0 = no limit (default 40)' },
      'top-p': { type: 'number', description: 'nucleus sampling mass in (0, 1] (default 0.95)' },
      'repetition-penalty': { type: 'number', description: '> 0, 1 = off (default 1.1)' },
      seed: { type: 'int', min: 0, max: 2 ** 31 - 1, description: 'seed for the draws (default 1)' },
      json: { type: 'boolean', description: 'print one JSON document' },
    },
  },
  async run(args, io) {
    const o = args.options;
    if (typeof o.model !== 'string') throw badInput('generate needs --model');
    const settings = {
      prompt: typeof o.prompt === 'string' ? o.prompt : '',
      maxTokens: (o['max-tokens'] as number | undefined) ?? 64,
      temperature: (o.temperature as number | undefined) ?? 0.8,
      topK: (o['top-k'] as number | undefined) ?? 40,
      topP: (o['top-p'] as number | undefined) ?? 0.95,
      repetitionPenalty: (o['repetition-penalty'] as number | undefined) ?? 1.1,
      seed: (o.seed as number | undefined) ?? 1,
    };
    const engine = io.engine();
    const model = await engine.loadModel(o.model);
    const session = await engine.startText(model.handle, settings);
    for (const n of session.notices) io.err(`notice: ${n}`);
    const steps = [];
    const timings = new Map<string, KernelTiming>();
    let text = '';
    const t0 = performance.now();
    for (let s = await engine.stepText(session.id); s; s = await engine.stepText(session.id)) {
      steps.push(s);
      text = s.text;
      io.err(`[${s.step}] ${JSON.stringify(s.piece)} p=${s.p.toFixed(3)} ${s.ms.toFixed(0)} ms`);
      for (const k of s.timings) {
        const t = timings.get(k.name) ?? { name: k.name, calls: 0, ms: 0 };
        t.calls += k.calls;
        t.ms += k.ms;
        timings.set(k.name, t);
      }
    }
    const totalMs = performance.now() - t0;
    await engine.closeSession(session.id);
    const generated = steps.map((s) => s.token);
    if (o.json) {
      io.out(
        JSON.stringify({
          text,
          tokens: generated,
          promptTokens: session.promptTokens,
          notices: session.notices,
          steps: steps.map((s) => ({ token: s.token, p: s.p, top: s.top.map((c) => ({ token: c.token, p: c.p })) })),
          timings: {
            totalMs,
            tokensPerSecond: (generated.length / totalMs) * 1000,
            kernels: [...timings.values()].sort((a, b) => b.ms - a.ms),
          },
        }),
      );
    } else {
      io.out(settings.prompt + text);
    }
    return 0;
  },
};
