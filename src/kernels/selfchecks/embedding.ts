import { embedding } from '../embedding.ts';
import { embeddingRef } from '../reference/embedding.ts';
import { measure, type KernelCheck } from '../selfcheck.ts';

export const embeddingChecks: KernelCheck[] = [
  {
    name: 'embedding',
    async run(gpu, rng) {
      const [T, V, C] = [37, 500, 96];
      // Two ids outside the table check that they give zero rows rather than stray reads.
      const ids = Int32Array.from({ length: T }, (_, t) => (t === 5 ? -1 : t === 20 ? V : rng.int(V)));
      const table = rng.floats(V * C);
      const tids = gpu.upload(ids, [T], 'ids'); // [T]
      const ttable = gpu.upload(table, [V, C], 'table'); // [V, C]
      const r = await measure(
        gpu,
        () => embedding(gpu, tids, ttable),
        embeddingRef(ids, table, C),
        1,
        `T=${T} V=${V} C=${C}`,
      );
      tids.release();
      ttable.release();
      return r;
    },
  },
];
