import type { Tensor } from '../tensor/tensor.js';
import { div, mul, sub } from './binary.js';
import { applyPointwise, type PointwiseSpec } from './pointwise.js';

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): WGSL has no erf, and exact GELU needs it. */
const ERF = `fn erf_(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return select(-y, y, x >= 0.0);
}`;

/** tanh that stays finite for large |x| (the exp-based formula some drivers use overflows). */
const SAFE_TANH = 'fn tanh_(x: f32) -> f32 { return tanh(clamp(x, -15.0, 15.0)); }';

const SIGMOID = 'fn sigmoid_(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }';

/** Every unary pointwise op: its WGSL and its gradient, one entry each. */
export const UNARY = {
  neg: { name: 'neg', expr: '-a', grad: (g) => [neg(g)] },
  abs: { name: 'abs', expr: 'abs(a)', grad: (g, [a]) => [mulSign(g, a as Tensor)] },
  exp: { name: 'exp', expr: 'exp(a)', floatOnly: true, grad: (g, _, y) => [mul(g, y)] },
  log: { name: 'log', expr: 'log(a)', floatOnly: true, grad: (g, [a]) => [div(g, a as Tensor)] },
  sqrt: {
    name: 'sqrt',
    expr: 'sqrt(a)',
    floatOnly: true,
    grad: (g, _, y) => [div(mul(g, 0.5), y)],
  },
  rsqrt: {
    name: 'rsqrt',
    expr: 'inverseSqrt(a)',
    floatOnly: true,
    // d/da a^-1/2 = -1/2 · a^-3/2 = -1/2 · y³
    grad: (g, _, y) => [mul(mul(g, -0.5), mul(y, mul(y, y)))],
  },
  tanh: {
    name: 'tanh',
    expr: 'tanh_(a)',
    helpers: SAFE_TANH,
    floatOnly: true,
    grad: (g, _, y) => [mul(g, sub(1, mul(y, y)))],
  },
  sigmoid: {
    name: 'sigmoid',
    expr: 'sigmoid_(a)',
    helpers: SIGMOID,
    floatOnly: true,
    grad: (g, _, y) => [mul(g, mul(y, sub(1, y)))],
  },
  silu: {
    name: 'silu',
    expr: 'a * sigmoid_(a)',
    helpers: SIGMOID,
    floatOnly: true,
    grad: (g, [a]) => [mul(g, siluGrad(a as Tensor))],
  },
  gelu: {
    name: 'gelu',
    expr: '0.5 * a * (1.0 + erf_(a * 0.70710678118654752))',
    helpers: ERF,
    floatOnly: true,
    grad: (g, [a]) => [mul(g, geluGrad(a as Tensor))],
  },
  relu: { name: 'relu', expr: 'max(a, $T(0))', grad: (g, [a]) => [mul(g, gt(a as Tensor, 0))] },
  // Clamped so that cosines a hair above 1 from rounding give 0, not NaN.
  acos: {
    name: 'acos',
    expr: 'acos(clamp(a, -1.0, 1.0))',
    floatOnly: true,
    grad: (g, [a]) => [mul(g, acosGrad(a as Tensor))],
  },
} satisfies Record<string, PointwiseSpec>;

/** Derivatives that are themselves pointwise kernels (no gradient of their own needed). */
const DERIVATIVES = {
  mulSign: { name: 'mul_sign', expr: 'a * sign(b)' },
  siluGrad: {
    name: 'silu_grad',
    expr: 'sigmoid_(a) * (1.0 + a * (1.0 - sigmoid_(a)))',
    helpers: SIGMOID,
    floatOnly: true,
  },
  geluGrad: {
    name: 'gelu_grad',
    expr: '0.5 * (1.0 + erf_(a * 0.70710678118654752)) + a * 0.3989422804014327 * exp(-0.5 * a * a)',
    helpers: ERF,
    floatOnly: true,
  },
  greaterThan: { name: 'gt', expr: 'select($T(0), $T(1), a > b)' },
  acosGrad: { name: 'acos_grad', expr: '-inverseSqrt(max(1.0 - a * a, 1e-12))', floatOnly: true },
} satisfies Record<string, PointwiseSpec>;

export const neg = (x: Tensor): Tensor => applyPointwise(UNARY.neg, [x]);
export const abs = (x: Tensor): Tensor => applyPointwise(UNARY.abs, [x]);
export const exp = (x: Tensor): Tensor => applyPointwise(UNARY.exp, [x]);
export const log = (x: Tensor): Tensor => applyPointwise(UNARY.log, [x]);
export const sqrt = (x: Tensor): Tensor => applyPointwise(UNARY.sqrt, [x]);
export const rsqrt = (x: Tensor): Tensor => applyPointwise(UNARY.rsqrt, [x]);
export const tanh = (x: Tensor): Tensor => applyPointwise(UNARY.tanh, [x]);
export const sigmoid = (x: Tensor): Tensor => applyPointwise(UNARY.sigmoid, [x]);
export const silu = (x: Tensor): Tensor => applyPointwise(UNARY.silu, [x]);
/** Exact (erf) GELU, as PyTorch's default. */
export const gelu = (x: Tensor): Tensor => applyPointwise(UNARY.gelu, [x]);
export const relu = (x: Tensor): Tensor => applyPointwise(UNARY.relu, [x]);
/** arccos, clamped to [-1, 1] first. */
export const acos = (x: Tensor): Tensor => applyPointwise(UNARY.acos, [x]);

const mulSign = (g: Tensor, x: Tensor): Tensor => applyPointwise(DERIVATIVES.mulSign, [g, x]);
const siluGrad = (x: Tensor): Tensor => applyPointwise(DERIVATIVES.siluGrad, [x]);
const geluGrad = (x: Tensor): Tensor => applyPointwise(DERIVATIVES.geluGrad, [x]);
const acosGrad = (x: Tensor): Tensor => applyPointwise(DERIVATIVES.acosGrad, [x]);
const gt = (x: Tensor, y: Tensor | number): Tensor =>
  applyPointwise(DERIVATIVES.greaterThan, [x, y]);
