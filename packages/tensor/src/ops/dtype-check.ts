import { type DType, isHalf } from '../tensor/dtype.js';
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
    // 16-bit tensors are weights in storage form: say how to compute with them.
    const hint = isHalf(t.dtype) ? `; ${t.dtype} is a storage dtype: cast(x, 'f32') first` : '';
    throw new TypeError(
      `${op}: ${argument} must be ${allowed.join(' or ')}, got ${t.dtype}${formatShape(t.shape)}${hint}`,
    );
  }
}

/**
 * Throws a TypeError unless `t` is a dtype ops compute in (f32, i32, u32): the check of every op
 * that does not read the 16-bit storage dtypes (only matmul, embedding and cast do).
 */
export function requireComputable(t: Tensor, op: string, argument: string): void {
  requireDType(t, ['f32', 'i32', 'u32'], op, argument);
}
