import type { DType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** Throws a TypeError naming the op, the argument and its shape unless `t` has one of `allowed`. */
export function requireDType(
  t: Tensor,
  allowed: readonly DType[],
  op: string,
  argument: string,
): void {
  t.assertAlive(op);
  if (!allowed.includes(t.dtype)) {
    throw new TypeError(
      `${op}: ${argument} must be ${allowed.join(' or ')}, got ${t.dtype}${formatShape(t.shape)}`,
    );
  }
}
