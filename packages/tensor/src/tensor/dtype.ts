/**
 * Element types a tensor can hold on the GPU.
 *
 * - `f32`: the compute type of every floating-point op.
 * - `i32` / `u32`: indices (token ids, argmax results, positions).
 * - `f16` / `bf16`: storage only, for weights kept at 2 bytes per parameter. Two elements share
 *   each 32-bit word (element i in the low half when i is even), which is the little-endian byte
 *   layout of checkpoint files, so uploading them is a plain copy. `matmul`, `embedding`, `cast`
 *   (and `contiguous`, `data`, views) read them on every adapter, accumulating in f32; every other
 *   op wants them cast to f32 first.
 */
export type DType = 'f32' | 'f16' | 'bf16' | 'i32' | 'u32';

/** The 16-bit storage dtypes. */
export type HalfDType = 'f16' | 'bf16';

/** Float dtypes a kernel can read as f32 (matmul and embedding operands). */
export type FloatDType = 'f32' | HalfDType;

/** Encodings accepted as raw input bytes (checkpoint files store these): every dtype. */
export type ByteEncoding = DType;

/** Bytes per element of a dtype. */
export function bytesPerElement(dtype: DType): number {
  return isHalf(dtype) ? 2 : 4;
}

/** Whether a dtype is one of the 16-bit storage dtypes. */
export function isHalf(dtype: DType): dtype is HalfDType {
  return dtype === 'f16' || dtype === 'bf16';
}

/** Typed array matching a dtype, as returned by `data` (16-bit floats come back widened). */
export type TypedArrayFor<D extends DType> = D extends 'i32'
  ? Int32Array
  : D extends 'u32'
    ? Uint32Array
    : Float32Array;

/** Whether a dtype holds floating-point values. */
export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'f32' || isHalf(dtype);
}

/**
 * The dtype an op computes in when given inputs of these dtypes: any float makes it f32,
 * otherwise all inputs must agree (i32 with i32, u32 with u32). 16-bit inputs are refused by the
 * ops before they get here (see `requireComputable`).
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
