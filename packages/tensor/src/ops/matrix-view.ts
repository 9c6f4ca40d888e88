import type { MatrixView } from '../kernels/matmul-plan.js';
import type { FloatDType } from '../tensor/dtype.js';
import { expandLayout, type Layout } from '../tensor/layout.js';

/**
 * How the matmul planner sees a view: the sizes and strides of its last two dims, and the strides
 * of its batch dims expanded (broadcast) to the output's `batchShape`, and the dtype it is read as.
 */
export function matrixView(
  layout: Layout,
  batchShape: readonly number[],
  dtype: FloatDType,
): MatrixView {
  const r = layout.shape.length;
  const batch = expandLayout(
    { shape: layout.shape.slice(0, -2), strides: layout.strides.slice(0, -2), offset: 0 },
    batchShape,
  );
  return {
    rows: layout.shape[r - 2] as number,
    cols: layout.shape[r - 1] as number,
    rowStride: layout.strides[r - 2] as number,
    colStride: layout.strides[r - 1] as number,
    offset: layout.offset,
    batchStrides: batch.strides,
    dtype,
  };
}
