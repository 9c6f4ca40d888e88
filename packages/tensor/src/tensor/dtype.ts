/**
 * Element types a tensor can hold on the GPU.
 *
 * - `f32`: the compute type of every floating-point op.
 * - `i32` / `u32`: indices (token ids, argmax results, positions).
 * - `f16`: storage only, and only on adapters with the `shader-f16` feature.
 *
 * `bf16` is not a GPU dtype here: bf16 (and f16 on adapters without `shader-f16`)
 * bytes are accepted by {@link Tensor.fromBytes} and widened to f32 on upload.
 */
export type DType = 'f32' | 'f16' | 'i32' | 'u32';

/** Encodings accepted as raw input bytes (checkpoint files store these). */
export type ByteEncoding = DType | 'bf16';

/** Bytes per element of a dtype or byte encoding. */
export function bytesPerElement(dtype: ByteEncoding): number {
  return dtype === 'f16' || dtype === 'bf16' ? 2 : 4;
}

/** The WGSL scalar type that stores a dtype. */
export function wgslType(dtype: DType): string {
  return dtype;
}

/** Typed array matching a dtype, as returned by `data`. */
export type TypedArrayFor<D extends DType> = D extends 'i32'
  ? Int32Array
  : D extends 'u32'
    ? Uint32Array
    : D extends 'f16'
      ? Float32Array
      : Float32Array;

/** Whether a dtype holds floating-point values. */
export function isFloat(dtype: DType): boolean {
  return dtype === 'f32' || dtype === 'f16';
}

/**
 * The dtype an op computes in when given inputs of these dtypes: any float makes it f32,
 * otherwise all inputs must agree (i32 with i32, u32 with u32).
 */
export function promoteTypes(dtypes: readonly DType[], opName: string): DType {
  if (dtypes.some(isFloat)) return 'f32';
  const first = dtypes[0] ?? 'f32';
  for (const d of dtypes) {
    if (d !== first) {
      throw new TypeError(
        `${opName}: cannot mix integer dtypes ${dtypes.join(' and ')}; cast one first`,
      );
    }
  }
  return first;
}
