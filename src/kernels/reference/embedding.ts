// Float64 reference for the embedding gather: ids outside [0, V) give a row of zeros.

/** ids [T], table [V, C] (flat, row-major) → [T, C]. */
export function embeddingRef(ids: ArrayLike<number>, table: ArrayLike<number>, C: number): Float64Array {
  const V = table.length / C;
  const out = new Float64Array(ids.length * C);
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t];
    if (id < 0 || id >= V) continue;
    for (let c = 0; c < C; c++) out[t * C + c] = table[id * C + c];
  }
  return out;
}
