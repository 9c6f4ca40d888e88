/**
 * The common description of "where a tensor's bytes live", produced by every
 * checkpoint parser (safetensors, GGUF, llama2.c). Loaders work from this and
 * never need to know which file format the weights came from.
 */
import type { ByteSource } from './byte-source.js';

/** Element types, named as in safetensors (GGUF and llama2.c map onto these). */
export type DType =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL';

/** Bytes per element for each dtype. */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

/** Floating-point dtypes that can be loaded as model weights. */
export type WeightDType = 'F32' | 'F16' | 'BF16';

/** True for dtypes that the weight loaders can convert to f32. */
export function isWeightDType(dtype: DType): dtype is WeightDType {
  return dtype === 'F32' || dtype === 'F16' || dtype === 'BF16';
}

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value);
}

/** One tensor stored in a file. */
export interface TensorRecord {
  /** Name as stored in the file (format-specific; see weight-names.ts for HF names). */
  readonly name: string;
  readonly dtype: DType;
  /** Row-major shape, outermost dimension first (as in PyTorch/safetensors). */
  readonly shape: readonly number[];
  /** Absolute offset of the first byte in `source`. */
  readonly byteOffset: number;
  readonly byteLength: number;
  readonly source: ByteSource;
}

/** All tensors of a checkpoint (possibly spread over several files). */
export interface TensorIndex {
  /** Tensors by stored name, in file order. */
  readonly tensors: ReadonlyMap<string, TensorRecord>;
  /** Free-form string metadata (safetensors `__metadata__`); empty if none. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Number of elements of a shape (1 for a scalar). */
export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Looks up a tensor, throwing an error that names the checkpoint when missing. */
export function getTensor<R extends TensorRecord>(
  index: { readonly tensors: ReadonlyMap<string, R> },
  name: string,
  checkpointName = 'checkpoint',
): R {
  const record = index.tensors.get(name);
  if (!record) throw new Error(`${checkpointName}: tensor "${name}" not found`);
  return record;
}
