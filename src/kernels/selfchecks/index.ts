// Every kernel's self-checks, in the order the self-test table lists them.

import type { KernelCheck } from '../selfcheck.ts';
import { adalnChecks } from './adaln.ts';
import { argmaxChecks } from './argmax.ts';
import { attentionChecks } from './attention.ts';
import { blockTopkChecks } from './attentionBlockTopk.ts';
import { conv2dChecks } from './conv2d.ts';
import { elementwiseChecks } from './elementwise.ts';
import { embeddingChecks } from './embedding.ts';
import { groupNormChecks } from './groupnorm.ts';
import { l2NormChecks } from './l2norm.ts';
import { layerNormChecks } from './layernorm.ts';
import { llsaChecks } from './llsa.ts';
import { matmulChecks } from './matmul.ts';
import { nonFiniteChecks } from './nonFinite.ts';
import { mortonChecks } from './morton.ts';
import { patchifyChecks } from './patchify.ts';
import { rmsNormChecks } from './rmsnorm.ts';
import { rvqChecks } from './rvq.ts';
import { ropeChecks } from './rope.ts';
import { softmaxChecks } from './softmax.ts';
import { tomeChecks } from './tome.ts';
import { topkChecks } from './topk.ts';
import { transposeChecks } from './transpose.ts';
import { unaryChecks } from './unary.ts';
import { upsampleChecks } from './upsample.ts';
import { vqNearestChecks } from './vqNearest.ts';

export const ALL_CHECKS: KernelCheck[] = [
  ...elementwiseChecks,
  ...matmulChecks,
  ...layerNormChecks,
  ...rmsNormChecks,
  ...softmaxChecks,
  ...unaryChecks,
  ...embeddingChecks,
  ...ropeChecks,
  ...argmaxChecks,
  ...topkChecks,
  ...nonFiniteChecks,
  ...attentionChecks,
  ...blockTopkChecks,
  ...llsaChecks,
  ...mortonChecks,
  ...tomeChecks,
  ...adalnChecks,
  ...conv2dChecks,
  ...upsampleChecks,
  ...groupNormChecks,
  ...rvqChecks,
  ...l2NormChecks,
  ...vqNearestChecks,
  ...patchifyChecks,
  ...transposeChecks,
];
