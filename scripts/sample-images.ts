// Samples for the README's sample sheet: for each class named, a few images from emoji-maskgit and
// emoji-ar (same seeds), written as 32×32 PNGs <out>/<generator>/<class>-<seed>.png through the engine
// the app and CLI use. train/sample_sheet.py then lays them out next to real validation emoji.
// Usage: node --import tsx --import ./scripts/raw-loader.mjs scripts/sample-images.ts OUT CLASS…

import { mkdir, writeFile } from 'node:fs/promises';
import { LocalEngine } from '../src/engine/engine.ts';
import { openNodeGpu } from '../src/gpu/node.ts';
import { encodePng } from '../src/cli/png.ts';
import { nodeSources } from '../src/cli/nodeSources.ts';

const SEEDS = [1, 2, 3];
const [out, ...classes] = process.argv.slice(2);
if (!out || classes.length === 0) {
  console.error('usage: sample-images.ts OUT CLASS…');
  process.exit(2);
}
const engine = new LocalEngine(
  () => openNodeGpu(),
  nodeSources({ onProgress: () => undefined }, new AbortController().signal),
);
for (const generator of ['emoji-maskgit', 'emoji-ar']) {
  const model = await engine.loadModel(generator);
  await mkdir(`${out}/${generator}`, { recursive: true });
  for (const className of classes) {
    for (const seed of SEEDS) {
      const session = await engine.startImage(model.handle, {
        className,
        steps: 12,
        guidance: 3,
        temperature: 1,
        seed,
      });
      let last = null;
      for (let s = await engine.stepImage(session.id); s; s = await engine.stepImage(session.id)) last = s;
      await engine.closeSession(session.id);
      const { width, height, rgba } = last!.image;
      await writeFile(`${out}/${generator}/${className}-${seed}.png`, encodePng(width, height, rgba));
      console.error(`${generator} ${className} seed ${seed}`);
    }
  }
}
await engine.dispose();
