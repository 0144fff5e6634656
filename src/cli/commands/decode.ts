// `decode --model emoji-rvq --tokens FILE [--depths d] --out x.png` — image tokens to pixels with an
// RVQ tokenizer. FILE is JSON: an array of ids, an object with "tokens", or a `generate --trace` file
// (its last step). Ids are in the generators' layout, index = (y · width + x) · depths + depth; the
// codebook size (the mask id) marks a token not known, which adds nothing.

import { readFile } from 'node:fs/promises';
import { checkOutputs, writeOutput } from '../outputFiles.ts';
import { badInput } from '../../shared/errors.ts';
import type { Command } from '../io.ts';
import { encodePng, scaleRgba } from '../png.ts';

/** The token ids in a tokens file; `file` names it in messages. */
export function parseTokenFile(text: string, file: string): number[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw badInput(`${file}: not JSON`, 'give an array of token ids, {"tokens": [...]}, or a generate --trace file');
  }
  const pick = (d: unknown): unknown => {
    if (Array.isArray(d)) return d;
    if (d && typeof d === 'object') {
      const o = d as Record<string, unknown>;
      if (Array.isArray(o.tokens)) return o.tokens;
      if (Array.isArray(o.steps) && o.steps.length > 0) return pick(o.steps[o.steps.length - 1]);
    }
    return null;
  };
  const ids = pick(doc);
  if (!Array.isArray(ids)) {
    throw badInput(
      `${file}: no token list`,
      'give an array of token ids, {"tokens": [...]}, or a generate --trace file',
    );
  }
  const bad = ids.findIndex((t) => !Number.isInteger(t));
  if (bad >= 0) throw badInput(`${file}: token ${bad} is ${JSON.stringify(ids[bad])}, not a whole number`);
  return ids as number[];
}

export const decodeCommand: Command = {
  spec: {
    name: 'decode',
    summary: 'decode image tokens with an RVQ tokenizer (emoji-rvq) to a PNG',
    options: {
      model: { type: 'string', description: 'the tokenizer: shipped id, folder or URL' },
      tokens: { type: 'string', description: 'JSON file of token ids (or a generate --trace file)' },
      depths: { type: 'int', min: 1, description: 'decode with the first d RVQ depths (default all)' },
      out: { type: 'string', description: 'PNG file to write' },
      scale: { type: 'int', min: 1, max: 64, description: 'enlarge the PNG by this factor (default 1)' },
      json: { type: 'boolean', description: 'print one JSON document' },
    },
  },
  async run(args, io) {
    const o = args.options;
    for (const name of ['model', 'tokens', 'out']) {
      if (typeof o[name] !== 'string') throw badInput(`decode needs --${name}`);
    }
    checkOutputs(o, ['out']);
    const file = o.tokens as string;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw badInput(`${file}: cannot read the file`);
    }
    const ids = parseTokenFile(text, file);
    const engine = io.engine();
    const model = await engine.loadModel(o.model as string);
    if (model.task !== 'image-tokenizer') {
      throw badInput(`${model.source} is a ${model.modelType} model, not an image tokenizer`, 'use emoji-rvq');
    }
    const { latent_size: side, num_quantizers: depthsAll, codebook_size: K } = model.config as Record<string, number>;
    const want = side * side * depthsAll;
    if (ids.length !== want) {
      throw badInput(
        `${file}: ${ids.length} tokens, but ${model.source} decodes ${side}×${side} positions × ${depthsAll} depths = ${want}`,
      );
    }
    const bad = ids.findIndex((t) => t < 0 || t > K);
    if (bad >= 0) throw badInput(`${file}: token ${bad} is ${ids[bad]}; codes are 0…${K - 1} (${K} = masked)`);
    const depths = (o.depths as number | undefined) ?? depthsAll;
    if (depths > depthsAll) throw badInput(`--depths ${depths}: ${model.source} has ${depthsAll} depths`);
    const img = await engine.decodeImage(model.handle, Int32Array.from(ids), depths);
    const scale = (o.scale as number | undefined) ?? 1;
    const rgba = scale > 1 ? scaleRgba(img.width, img.height, img.rgba, scale) : img.rgba;
    await writeOutput('out', o.out as string, encodePng(img.width * scale, img.height * scale, rgba));
    const summary = { out: o.out, width: img.width * scale, height: img.height * scale, depths };
    io.out(
      o.json
        ? JSON.stringify(summary)
        : `${String(o.out)}: ${summary.width}×${summary.height}, ${depths} depth${depths > 1 ? 's' : ''}`,
    );
    return 0;
  },
};
