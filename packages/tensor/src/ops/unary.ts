import type { Tensor } from '../tensor/tensor.js';
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

/** Every unary pointwise op: its WGSL, one entry each (gradients: autograd's `gradients.ts`). */
export const UNARY = {
  neg: { name: 'neg', expr: '-a' },
  abs: { name: 'abs', expr: 'abs(a)' },
  exp: { name: 'exp', expr: 'exp(a)', floatOnly: true },
  log: { name: 'log', expr: 'log(a)', floatOnly: true },
  sqrt: { name: 'sqrt', expr: 'sqrt(a)', floatOnly: true },
  rsqrt: { name: 'rsqrt', expr: 'inverseSqrt(a)', floatOnly: true },
  tanh: { name: 'tanh', expr: 'tanh_(a)', helpers: SAFE_TANH, floatOnly: true },
  sigmoid: { name: 'sigmoid', expr: 'sigmoid_(a)', helpers: SIGMOID, floatOnly: true },
  silu: { name: 'silu', expr: 'a * sigmoid_(a)', helpers: SIGMOID, floatOnly: true },
  gelu: {
    name: 'gelu',
    expr: '0.5 * a * (1.0 + erf_(a * 0.70710678118654752))',
    helpers: ERF,
    floatOnly: true,
  },
  relu: { name: 'relu', expr: 'max(a, $T(0))' },
  // Clamped so that cosines a hair above 1 from rounding give 0, not NaN.
  acos: { name: 'acos', expr: 'acos(clamp(a, -1.0, 1.0))', floatOnly: true },
} satisfies Record<string, PointwiseSpec>;

/**
 * Derivative kernels: pointwise kernels that autograd's gradient rules call. They sit here, next to
 * the forward WGSL they differentiate (and share helpers with); the chain rule itself lives in
 * autograd.
 */
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

/** g · sign(x): the derivative of abs applied to g. */
export const mulSign = (g: Tensor, x: Tensor): Tensor =>
  applyPointwise(DERIVATIVES.mulSign, [g, x]);
/** d silu(x) / dx = σ(x)·(1 + x·(1 − σ(x))). */
export const siluGrad = (x: Tensor): Tensor => applyPointwise(DERIVATIVES.siluGrad, [x]);
/** d gelu(x) / dx = Φ(x) + x·φ(x) (exact, erf-based GELU). */
export const geluGrad = (x: Tensor): Tensor => applyPointwise(DERIVATIVES.geluGrad, [x]);
/** d acos(x) / dx = −1/√(1 − x²), with 1 − x² kept ≥ 1e-12 so |x| = 1 stays finite. */
export const acosGrad = (x: Tensor): Tensor => applyPointwise(DERIVATIVES.acosGrad, [x]);
