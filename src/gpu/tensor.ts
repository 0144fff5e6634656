// A tensor on the GPU: a buffer with a shape, an element type and a label. Row-major, densely packed.
// Tensors from the pool go back to it with `release()`; weights own their buffers for the model's life.

export type DType = 'f32' | 'i32' | 'u32';

export interface Tensor {
  readonly buffer: GPUBuffer;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly label: string;
  /** Return the buffer to the pool (or destroy it). The tensor must not be used afterwards. */
  release(): void;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export type HostArray = Float32Array | Int32Array | Uint32Array;

export function hostArrayFor(dtype: DType, data: ArrayBuffer): HostArray {
  if (dtype === 'f32') return new Float32Array(data);
  if (dtype === 'i32') return new Int32Array(data);
  return new Uint32Array(data);
}

export function dtypeOf(a: HostArray): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  return 'u32';
}

/** The same buffer seen with another shape of the same size (e.g. [T, H·D] as [T, H, D]). The view
 *  does not own the buffer: releasing it does nothing; release the original instead. */
export function view(t: Tensor, shape: readonly number[], label = t.label): Tensor {
  if (numel(shape) !== numel(t.shape)) {
    throw new Error(`view: ${t.label} ${shapeString(t.shape)} cannot be seen as ${shapeString(shape)}`);
  }
  return { buffer: t.buffer, shape: [...shape], dtype: t.dtype, label, release: () => undefined };
}
