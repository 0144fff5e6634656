// The browser half of `npm run bench -- ar`: the same measurement as in Node (bench/arCore.ts), with
// the engine in its Web Worker as the app runs it. bench/ar.ts builds this page, opens it in
// Chromium and reads the JSON it writes into #result.

import { createEngineClient } from '../../src/worker/client.ts';
import { runArBench } from '../arCore.ts';

const out = document.getElementById('result')!;
const params = new URLSearchParams(location.search);
const engine = createEngineClient();
runArBench(engine, {
  model: params.get('model') ?? 'brown-gpt2',
  warmup: Number(params.get('warmup') ?? 1),
  reps: Number(params.get('reps') ?? 5),
  decode: Number(params.get('decode') ?? 32),
  log: (line) => console.log(line),
}).then(
  (r) => (out.textContent = JSON.stringify(r)),
  (e: unknown) => (out.textContent = JSON.stringify({ error: e instanceof Error ? e.message : String(e) })),
);
