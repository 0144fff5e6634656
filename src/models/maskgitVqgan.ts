// The MaskGIT-VQGAN pixel decoder TiTok's legacy tokenizers end in (open-muse's reimplementation, in
// bytedance/1d-tokenizer's modeling/modules/maskgit_vqgan.py): a latent z [Dz, G, G] → RGB [3, S, S].
//   h = conv_in(z)                               3×3 + bias, Dz → ch(n−1)
//   h = mid[j](h), j < num_res_blocks            at the coarsest width
//   for level i = n−1 … 0:                       ch(i) = hidden_channels · channel_mult[i]
//     h = up[i].block[j](h), j < num_res_blocks  the first block goes from ch(i+1) (ch(n−1) at the top) to ch(i)
//     if i > 0: h = up[i].upsample_conv(upsample2x(h))   3×3 + bias, so S = G · 2^(n−1)
//   rgb = conv_out(silu(norm_out(h)))            3×3 + bias, ch(0) → 3
// ResnetBlock(x, in → out): h = conv2(silu(norm2(conv1(silu(norm1(x)))))) with 3×3 convs without bias;
// the result is h + x when in = out, and h + nin_shortcut(h) otherwise (a 1×1 conv of h, not of x, as
// published). GroupNorm: 32 groups, eps 1e-6. Tensor names: {prefix}conv_in.*, {prefix}mid.{j}.*,
// {prefix}up.{i}.block.{j}.{norm1,conv1,norm2,conv2,nin_shortcut}.*, {prefix}up.{i}.upsample_conv.*,
// {prefix}norm_out.*, {prefix}conv_out.*

import type { Gpu } from '../gpu/gpu.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { PixelDecoderConfig } from '../formats/configTitok.ts';
import { conv2d } from '../kernels/conv2d.ts';
import { add } from '../kernels/elementwise.ts';
import { groupNorm } from '../kernels/groupnorm.ts';
import { upsample2x } from '../kernels/upsample.ts';
import type { WeightLoader } from './weights.ts';

interface Conv {
  w: Tensor; // [Cout, Cin, k, k]
  b: Tensor | null; // [Cout], or none
  label: string;
}

interface GroupNormWeights {
  w: Tensor; // [C]
  b: Tensor; // [C]
  label: string;
}

interface ResnetBlock {
  norm1: GroupNormWeights; // [in]
  conv1: Conv; // 3×3, in → out
  norm2: GroupNormWeights; // [out]
  conv2: Conv; // 3×3, out → out
  nin: Conv | null; // 1×1, out → out, when in ≠ out
}

interface Level {
  blocks: ResnetBlock[];
  upsample: Conv | null; // 3×3 after the ×2 upsampling; none at level 0
}

export interface PixelDecoder {
  config: PixelDecoderConfig;
  convIn: Conv; // 3×3, Dz → ch(n−1)
  mid: ResnetBlock[];
  up: Level[]; // index = level i, run from n−1 down to 0
  normOut: GroupNormWeights; // [ch(0)]
  convOut: Conv; // 3×3, ch(0) → 3
}

export async function loadPixelDecoder(w: WeightLoader, prefix: string, c: PixelDecoderConfig): Promise<PixelDecoder> {
  const ch = (i: number): number => c.hiddenChannels * c.channelMult[i];
  const n = c.channelMult.length;
  const conv = async (name: string, cout: number, cin: number, k: number, bias: boolean): Promise<Conv> => ({
    w: await w.tensor(`${prefix}${name}.weight`, [cout, cin, k, k]),
    b: bias ? await w.tensor(`${prefix}${name}.bias`, [cout]) : null,
    label: `${prefix}${name}`,
  });
  const gn = async (name: string, C: number): Promise<GroupNormWeights> => ({
    w: await w.tensor(`${prefix}${name}.weight`, [C]),
    b: await w.tensor(`${prefix}${name}.bias`, [C]),
    label: `${prefix}${name}`,
  });
  const block = async (name: string, cin: number, cout: number): Promise<ResnetBlock> => ({
    norm1: await gn(`${name}.norm1`, cin),
    conv1: await conv(`${name}.conv1`, cout, cin, 3, false),
    norm2: await gn(`${name}.norm2`, cout),
    conv2: await conv(`${name}.conv2`, cout, cout, 3, false),
    nin: cin !== cout ? await conv(`${name}.nin_shortcut`, cout, cout, 1, false) : null,
  });
  const convIn = await conv('conv_in', ch(n - 1), c.zChannels, 3, true);
  const mid: ResnetBlock[] = [];
  for (let j = 0; j < c.numResBlocks; j++) mid.push(await block(`mid.${j}`, ch(n - 1), ch(n - 1)));
  const up: Level[] = [];
  for (let i = 0; i < n; i++) {
    const blocks: ResnetBlock[] = [];
    let cin = i === n - 1 ? ch(n - 1) : ch(i + 1);
    for (let j = 0; j < c.numResBlocks; j++) {
      blocks.push(await block(`up.${i}.block.${j}`, cin, ch(i)));
      cin = ch(i);
    }
    up.push({ blocks, upsample: i > 0 ? await conv(`up.${i}.upsample_conv`, ch(i), ch(i), 3, true) : null });
  }
  return {
    config: c,
    convIn,
    mid,
    up,
    normOut: await gn('norm_out', ch(0)),
    convOut: await conv('conv_out', 3, ch(0), 3, true),
  };
}

/** z [Dz, G, G] → RGB [3, G·2^(n−1), G·2^(n−1)], not clamped; z is left to the caller. */
export function runPixelDecoder(gpu: Gpu, d: PixelDecoder, z: Tensor): Tensor {
  const c = d.config;
  const convOf = (x: Tensor, k: Conv): Tensor => conv2d(gpu, x, k.w, k.b, { label: k.label });
  const normSilu = (x: Tensor, g: GroupNormWeights): Tensor =>
    groupNorm(gpu, x, c.groups, g.w, g.b, { eps: c.eps, silu: true, label: g.label });
  const resnet = (x: Tensor, b: ResnetBlock): Tensor => {
    const a = normSilu(x, b.norm1); // [in, s, s]
    const h1 = convOf(a, b.conv1); // [out, s, s]
    const a2 = normSilu(h1, b.norm2);
    const h = convOf(a2, b.conv2); // [out, s, s]
    const shortcut = b.nin ? convOf(h, b.nin) : x; // [out, s, s]
    const out = add(gpu, h, shortcut, `${b.conv2.label}.residual`);
    for (const t of [a, h1, a2, h]) t.release();
    if (b.nin) shortcut.release();
    return out;
  };
  /** Replaces h by f(h), releasing the old h. */
  const step = (h: Tensor, f: (x: Tensor) => Tensor): Tensor => {
    const next = f(h);
    h.release();
    return next;
  };
  let h = convOf(z, d.convIn); // [ch(n−1), G, G]
  for (const b of d.mid) h = step(h, (x) => resnet(x, b));
  for (let i = d.up.length - 1; i >= 0; i--) {
    const level = d.up[i];
    for (const b of level.blocks) h = step(h, (x) => resnet(x, b)); // [ch(i), s, s]
    const upsample = level.upsample;
    if (upsample) {
      h = step(h, (x) => upsample2x(gpu, x, `${upsample.label}.upsample`)); // [ch(i), 2s, 2s]
      h = step(h, (x) => convOf(x, upsample));
    }
  }
  h = step(h, (x) => normSilu(x, d.normOut)); // [ch(0), S, S]
  return step(h, (x) => convOf(x, d.convOut)); // [3, S, S]
}
