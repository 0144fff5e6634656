// Float64 references for adaLN modulate and the gated residual, rows of x [R, C].

export function modulateRef(x: ArrayLike<number>, shift: ArrayLike<number>, scale: ArrayLike<number>): Float64Array {
  const C = shift.length;
  return Float64Array.from({ length: x.length }, (_, i) => x[i] * (1 + scale[i % C]) + shift[i % C]);
}

export function gatedAddRef(x: ArrayLike<number>, gate: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const C = gate.length;
  return Float64Array.from({ length: x.length }, (_, i) => x[i] + gate[i % C] * y[i]);
}
