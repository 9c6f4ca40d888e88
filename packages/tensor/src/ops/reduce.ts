import { type ReduceKind, runReduce } from '../kernels/reduce-kernel.js';
import { normalizeAxes, normalizeAxis } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { mul, sub } from './binary.js';
import { requireComputable } from './dtype-check.js';
import { reshape } from './reshape.js';

export interface ReduceOptions {
  /** Keep reduced axes as size 1 (so the result broadcasts against the input). */
  keepdim?: boolean;
}

/** Which axes to reduce: one, several (negative counts from the end), or all when omitted. */
export type Axes = number | readonly number[] | undefined;

function reduce(kind: ReduceKind, x: Tensor, axes: Axes, options: ReduceOptions): Tensor {
  requireComputable(x, kind, 'x');
  const list = normalizeAxes(axes, x.rank, kind);
  const out = runReduce(x.device, kind, x, list);
  if (!options.keepdim) return out;
  const shape = x.shape.map((d, i) => (list.includes(i) ? 1 : d));
  const kept = reshape(out, shape);
  out.dispose();
  return kept;
}

export const sum = (x: Tensor, axes?: Axes, options: ReduceOptions = {}) =>
  reduce('sum', x, axes, options);
export const max = (x: Tensor, axes?: Axes, options: ReduceOptions = {}) =>
  reduce('max', x, axes, options);
export const min = (x: Tensor, axes?: Axes, options: ReduceOptions = {}) =>
  reduce('min', x, axes, options);

/** Index (i32) of the largest value along one axis; the first one on ties. */
export const argmax = (x: Tensor, axis = -1, options: ReduceOptions = {}) =>
  reduce('argmax', x, normalizeAxis(axis, x.rank, 'argmax'), options);
/** Index (i32) of the smallest value along one axis; the first one on ties. */
export const argmin = (x: Tensor, axis = -1, options: ReduceOptions = {}) =>
  reduce('argmin', x, normalizeAxis(axis, x.rank, 'argmin'), options);

/** Number of elements the given axes reduce over. */
export function reducedCount(x: Tensor, axes: Axes): number {
  return normalizeAxes(axes, x.rank, 'reduce').reduce((n, i) => n * (x.shape[i] as number), 1);
}

export function mean(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  const s = sum(x, axes, options);
  const out = mul(s, 1 / reducedCount(x, axes));
  s.dispose();
  return out;
}

export interface VarianceOptions extends ReduceOptions {
  /** Subtracted from the count in the denominator: 1 (default, as PyTorch) for the unbiased estimate, 0 for the population variance. */
  correction?: number;
}

/** Variance by two passes (mean, then mean squared deviation): stable where E[x²]−E[x]² is not. */
export function variance(x: Tensor, axes?: Axes, options: VarianceOptions = {}): Tensor {
  const n = reducedCount(x, axes);
  const m = mean(x, axes, { keepdim: true });
  const d = sub(x, m);
  const d2 = mul(d, d);
  const s = sum(d2, axes, options);
  const out = mul(s, 1 / Math.max(n - (options.correction ?? 1), 0));
  for (const t of [m, d, d2, s]) t.dispose();
  return out;
}
