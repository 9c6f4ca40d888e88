import type { Tensor } from '../tensor/tensor.js';
import { mul } from './binary.js';
import { applyPointwise, type Operand, type PointwiseSpec } from './pointwise.js';

/**
 * `where(cond, a, b)`: `a` where `cond` is non-zero, else `b`, with broadcasting.
 * The condition is converted to the compute type of a and b before the test.
 */
export const WHERE = {
  name: 'where',
  expr: 'select(c, b, a != $T(0))',
  grad: (g, [cond]) => [undefined, mul(g, ne0(cond as Tensor)), mul(g, eq0(cond as Tensor))],
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
const ne0 = (c: Tensor) => applyPointwise(NONZERO, [c]);
const eq0 = (c: Tensor) => applyPointwise(ZERO, [c]);

export function where(cond: Operand, a: Operand, b: Operand): Tensor {
  return applyPointwise(WHERE, [cond, a, b]);
}
