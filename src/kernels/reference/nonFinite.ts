// Reference for the non-finite scan: the count of NaN / ±inf values and the index of the first one
// (0xffffffff when there is none, as the kernel reports it).

export function nonFiniteRef(x: ArrayLike<number>): [count: number, first: number] {
  let count = 0;
  let first = 0xffffffff;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      count++;
      if (count === 1) first = i;
    }
  }
  return [count, first];
}
