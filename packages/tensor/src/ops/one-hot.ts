import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { arange } from './creation.js';
import { requireDType } from './dtype-check.js';
import { applyPointwise, type PointwiseSpec } from './pointwise.js';

/** 1.0 where an id (a) equals a class index (b), computed in the ids' integer type. */
const ONE_HOT: PointwiseSpec = {
  name: 'one_hot',
  expr: 'select(0.0, 1.0, a == b)',
  outType: 'f32',
};

/**
 * One-hot encoding: f32 [...ids.shape, depth] with 1 at each id's index and 0 elsewhere. Ids (i32
 * or u32) outside [0, depth) give an all-zero row.
 */
export function oneHot(ids: Tensor, depth: number): Tensor {
  requireDType(ids, ['i32', 'u32'], 'oneHot', 'ids');
  if (!Number.isInteger(depth) || depth < 0)
    throw new RangeError(
      `oneHot: depth must be a non-negative integer, got ${depth} for ids ${formatShape(ids.shape)}`,
    );
  // A broadcast compare of ids [..., 1] against classes [depth]: no kernel of its own needed.
  const column = ids.unsqueeze(-1);
  const classes = arange(0, depth, 1, ids.dtype, ids.device);
  try {
    return applyPointwise(ONE_HOT, [column, classes]);
  } finally {
    column.dispose();
    classes.dispose();
  }
}
