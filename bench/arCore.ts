// The autoregressive benchmark itself, written against the engine interface so that the same code
// measures Node (in-thread engine on Dawn) and the browser (engine in the Web Worker):
// prefill = the first step of a session (the whole prompt in one forward pass, plus sampling),
// decode = each later step (one token against the KV cache, logits read back, sampled on the host).

import type { EngineApi } from '../src/engine/api.ts';

export interface ArBenchResult {
  model: string;
  promptTokens: number;
  decodeTokens: number;
  prefillMs: number[]; // per run
  decodeMsPerToken: number[]; // per run: median over its decode steps
  memory: { weightBytes: number; peakPoolBytes: number };
}

const PROMPT =
  'The jury said it did find that many of the registration and election laws are outmoded or inadequate ' +
  'and often ambiguous. It recommended that legislators act to have these laws studied and revised to the end ' +
  'of modernizing and improving them. The grand jury commented on a number of other topics, among them the ' +
  'Atlanta and Fulton County purchasing departments which it said are well operated and follow generally';

export async function runArBench(
  engine: EngineApi,
  options: { model: string; warmup: number; reps: number; decode: number; log: (line: string) => void },
): Promise<ArBenchResult> {
  const info = await engine.loadModel(options.model);
  const result: ArBenchResult = {
    model: options.model,
    promptTokens: 0,
    decodeTokens: options.decode,
    prefillMs: [],
    decodeMsPerToken: [],
    memory: { weightBytes: 0, peakPoolBytes: 0 },
  };
  const settings = {
    prompt: PROMPT,
    maxTokens: options.decode + 1,
    temperature: 0,
    topK: 1,
    topP: 1,
    repetitionPenalty: 1,
    seed: 1,
  };
  for (let r = 0; r < options.warmup + options.reps; r++) {
    const session = await engine.startText(info.handle, settings);
    result.promptTokens = session.promptTokens.length;
    const steps: number[] = [];
    for (let s = await engine.stepText(session.id); s; s = await engine.stepText(session.id)) steps.push(s.ms);
    const mem = await engine.memory();
    result.memory = {
      weightBytes: mem.weightBytes,
      peakPoolBytes: Math.max(result.memory.peakPoolBytes, mem.liveBytes + mem.pooledBytes),
    };
    await engine.closeSession(session.id);
    if (r < options.warmup) continue;
    const decode = steps.slice(1).sort((a, b) => a - b);
    result.prefillMs.push(steps[0]);
    result.decodeMsPerToken.push(decode[Math.floor(decode.length / 2)]);
    options.log(
      `run ${r - options.warmup + 1}/${options.reps}: prefill ${steps[0].toFixed(0)} ms, decode ${decode[Math.floor(decode.length / 2)].toFixed(1)} ms/token`,
    );
  }
  return result;
}
