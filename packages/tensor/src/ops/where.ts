import type { Tensor } from '../tensor/tensor.js';
import { applyPointwise, type Operand, type PointwiseSpec } from './pointwise.js';

/**
 * `where(cond, a, b)`: `a` where `cond` is non-zero, else `b`, with broadcasting.
 * The condition is converted to the compute type of a and b before the test.
 */
export const WHERE = {
  name: 'where',
  expr: 'select(c, b, a != $T(0))',
} satisfies PointwiseSpec;

const NONZERO: PointwiseSpec = {
  name: 'nonzero',
  expr: 'select(0.0, 1.0, a != $T(0))',
  outType: 'f32',
};
const ZERO: PointwiseSpec = {
  name: 'is_zero',
  expr: 'select(0.0, 1.0, a == $T(0))',
  outType: 'f32',
};
/** 1 where `c` is non-zero, else 0, in f32: the mask that routes `where`'s gradient to `a`. */
export const isNonzero = (c: Tensor): Tensor => applyPointwise(NONZERO, [c]);
/** 1 where `c` is zero, else 0, in f32: the mask that routes `where`'s gradient to `b`. */
export const isZero = (c: Tensor): Tensor => applyPointwise(ZERO, [c]);

export function where(cond: Operand, a: Operand, b: Operand): Tensor {
  return applyPointwise(WHERE, [cond, a, b]);
}
