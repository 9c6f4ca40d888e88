import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { recordOp } from './record.js';

/**
 * Splits `x` along `axis` into views: a number gives that many equal parts, an array gives parts
 * of those sizes (as the tensor package's `split`).
 *
 * The graph records one node per output (nodes have a single output), each with the gradient of
 * a narrow: its slice written into zeros of x's shape. Backward sums the parts' gradients, so a
 * split into k parts costs k zero tensors of x's size in backward; parts nobody used cost nothing.
 */
export function split(x: Variable, sizesOrCount: number | readonly number[], axis = 0): Variable[] {
  const parts = T.split(x.value, sizesOrCount, axis);
  const a = axis < 0 ? axis + x.shape.length : axis;
  const from = x.shape;
  let start = 0;
  return parts.map((part) => {
    const at = start;
    start += part.shape[a] as number;
    return recordOp('split', [x], part, [], { from, axis: a, start: at });
  });
}
