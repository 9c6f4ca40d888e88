/**
 * How a matmul reads its operands: the shared front half of both matmul kernel families.
 *
 * Each operand's last two dims must be either row-major (inner stride 1) or column-major
 * (second-to-last stride 1), with any stride for the other dim; that covers dense matrices,
 * `transpose()` views and `narrow`/`slice` views without a copy. Batch dims are broadcast
 * NumPy-style and read through their strides (0 where broadcast), after merging the dims that
 * every operand walks contiguously.
 *
 * Operands may be f32, f16 or bf16 (read through kernels/element-read.ts, accumulated in f32).
 *
 * The WGSL that kernels generate from a plan depends only on its {@link MatmulFlags}; every size,
 * stride and offset travels in the params array ({@link matmulLaunch} packs it), so one pipeline
 * serves every shape of a kind. matmul-launch.ts packs those params and holds the WGSL that
 * reads them back; each kernel file (matmul-tiled.ts, matmul-register.ts) holds the rest of its
 * WGSL.
 */
import type { FloatDType } from '../tensor/dtype.js';
import { coalesceDims } from './coalesce.js';

/** `row`: the last dim is contiguous; `col`: the second-to-last one is. */
export type MatrixOrder = 'row' | 'col';

/** One operand as the kernel sees it. */
export interface OperandPlan {
  order: MatrixOrder;
  /** Stride (elements) of the dim that is not contiguous; 0 when that dim has size 1. */
  ld: number;
  offset: number;
  /** Strides of the merged batch dims (0 for broadcast dims). */
  batchStrides: number[];
  /** Whether the kernel may read this operand four elements at a time (see {@link planMatmul}). */
  vec4: boolean;
}

/** What shapes an operand's reads: the kernel's code for it depends on these and nothing else. */
export interface OperandFlags {
  order: MatrixOrder;
  vec4: boolean;
  dtype: FloatDType;
}

/** The code-shaping facts of a matmul: its generated WGSL depends on these and nothing else. */
export interface MatmulFlags {
  a: OperandFlags;
  b: OperandFlags;
  /** Read f16 operands as WGSL f16 (`Device.nativeF16`) rather than unpacking u32 words. */
  nativeF16: boolean;
  /** N % 4 == 0: rows of C can be written as vec4. */
  outVec4: boolean;
  batchRank: number;
}

export interface MatmulPlan {
  M: number;
  N: number;
  K: number;
  /** Broadcast batch shape of the output (before merging). */
  batchShape: number[];
  /** Number of matrices in the output. */
  batch: number;
  /** Merged batch dims (size-1 dims dropped). */
  mergedBatch: number[];
  a: OperandPlan;
  b: OperandPlan;
  flags: MatmulFlags;
}

/** A matrix view as given: its last-two-dims sizes and strides, and its batch strides (expanded). */
export interface MatrixView {
  rows: number;
  cols: number;
  rowStride: number;
  colStride: number;
  offset: number;
  batchStrides: readonly number[];
  dtype: FloatDType;
}

/**
 * The order and leading stride of a rows×cols view, or `undefined` when neither dim is contiguous
 * (the caller then copies it). Size-1 dims may have any stride.
 */
export function matrixOrder(
  rows: number,
  cols: number,
  rowStride: number,
  colStride: number,
): { order: MatrixOrder; ld: number } | undefined {
  if (cols === 1 || colStride === 1) return { order: 'row', ld: rows === 1 ? 0 : rowStride };
  if (rows === 1 || rowStride === 1) return { order: 'col', ld: cols === 1 ? 0 : colStride };
  return undefined;
}

/**
 * Plans C[batch, M, N] = A[batch, M, K] · B[batch, K, N] for views already known to have a
 * row- or column-major order (see {@link matrixOrder}).
 *
 * vec4 reads need every 4-element group the kernel loads to start at a multiple of 4 elements:
 * the offset, the leading stride and the batch strides must be multiples of 4, and so must the
 * contiguous dim (K for row-major A and column-major B, M or N otherwise), so that no group
 * straddles the end of a row. A group that did could reach past the end of the buffer, which
 * robust implementations (browsers) clamp to the last whole vec4: a wrong value, not an error.
 */
export function planMatmul(
  a: MatrixView,
  b: MatrixView,
  batchShape: readonly number[],
  nativeF16 = false,
): MatmulPlan {
  const M = a.rows;
  const K = a.cols;
  const N = b.cols;
  const ao = matrixOrder(a.rows, a.cols, a.rowStride, a.colStride);
  const bo = matrixOrder(b.rows, b.cols, b.rowStride, b.colStride);
  if (!ao || !bo)
    throw new Error('planMatmul: operands must be row- or column-major (copy them first)');
  const outStrides = batchShape.map((_, i) => batchShape.slice(i + 1).reduce((p, d) => p * d, 1));
  const merged = coalesceDims(batchShape, [outStrides, a.batchStrides, b.batchStrides]);
  const aBatch = merged.strides[1] as number[];
  const bBatch = merged.strides[2] as number[];
  const m4 = (x: number) => x % 4 === 0;
  const aligned = (ld: number, offset: number, strides: number[]) =>
    m4(ld) && m4(offset) && strides.every(m4);
  const aVec = aligned(ao.ld, a.offset, aBatch) && m4(ao.order === 'row' ? K : M);
  const bVec = aligned(bo.ld, b.offset, bBatch) && m4(bo.order === 'col' ? K : N);
  return {
    M,
    N,
    K,
    batchShape: [...batchShape],
    batch: batchShape.reduce((p, d) => p * d, 1),
    mergedBatch: merged.shape,
    a: { order: ao.order, ld: ao.ld, offset: a.offset, batchStrides: aBatch, vec4: aVec },
    b: { order: bo.order, ld: bo.ld, offset: b.offset, batchStrides: bBatch, vec4: bVec },
    flags: {
      a: { order: ao.order, vec4: aVec, dtype: a.dtype },
      b: { order: bo.order, vec4: bVec, dtype: b.dtype },
      nativeF16,
      outVec4: m4(N),
      batchRank: merged.shape.length,
    },
  };
}
