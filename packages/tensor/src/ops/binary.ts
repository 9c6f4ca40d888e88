import type { Tensor } from '../tensor/tensor.js';
import { applyPointwise, type Operand, type PointwiseSpec } from './pointwise.js';

/**
 * pow for any sign of base: WGSL's pow is undefined for a < 0, but x^n with integer n is common
 * (e.g. squares in variance); a negative base with a fractional exponent gives NaN as in IEEE.
 */
const POW = `// A private variable, not a constant: WGSL rejects constant expressions that evaluate to NaN.
var<private> nan_bits: u32 = 0x7fc00000u;
fn pow_(a: f32, b: f32) -> f32 {
  if (a >= 0.0) { return select(pow(a, b), 1.0, b == 0.0); }
  if (b != round(b)) { return bitcast<f32>(nan_bits); }
  let r = pow(-a, b);
  return select(r, -r, abs(b % 2.0) == 1.0);
}`;

const compare = (name: string, op: string): PointwiseSpec => ({
  name,
  expr: `select($T(0), $T(1), a ${op} b)`,
});

/** Every binary pointwise op. Comparisons return 1/0 in the inputs' compute type. */
export const BINARY = {
  add: { name: 'add', expr: 'a + b' },
  sub: { name: 'sub', expr: 'a - b' },
  mul: { name: 'mul', expr: 'a * b' },
  div: { name: 'div', expr: 'a / b' },
  pow: { name: 'pow', expr: 'pow_(a, b)', helpers: POW, floatOnly: true },
  maximum: { name: 'maximum', expr: 'max(a, b)' },
  minimum: { name: 'minimum', expr: 'min(a, b)' },
  eq: compare('eq', '=='),
  ne: compare('ne', '!='),
  lt: compare('lt', '<'),
  le: compare('le', '<='),
  gt: compare('gt', '>'),
  ge: compare('ge', '>='),
} satisfies Record<string, PointwiseSpec>;

const LOG_POSITIVE: PointwiseSpec = {
  name: 'log_positive',
  expr: 'select(0.0, log(a), a > 0.0)',
  floatOnly: true,
};
/** ln a where a > 0, else 0: the factor of pow's exponent gradient, finite where ln is not. */
export const logPositive = (a: Tensor): Tensor => applyPointwise(LOG_POSITIVE, [a]);

export const add = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.add, [a, b]);
export const sub = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.sub, [a, b]);
export const mul = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.mul, [a, b]);
export const div = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.div, [a, b]);
export const pow = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.pow, [a, b]);
export const maximum = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.maximum, [a, b]);
export const minimum = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.minimum, [a, b]);
export const eq = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.eq, [a, b]);
export const ne = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.ne, [a, b]);
export const lt = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.lt, [a, b]);
export const le = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.le, [a, b]);
export const gt = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.gt, [a, b]);
export const ge = (a: Operand, b: Operand): Tensor => applyPointwise(BINARY.ge, [a, b]);
