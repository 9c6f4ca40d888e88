import type { Axes, ReduceOptions, VarianceOptions } from '@llm-streamline/tensor';
import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { mul, sub } from './pointwise.js';
import { recordOp } from './record.js';

/** The input shape with reduced axes kept as 1, so a gradient broadcasts back over them. */
function keptShape(shape: readonly number[], axes: Axes): number[] {
  const rank = shape.length;
  const list =
    axes === undefined
      ? shape.map((_, i) => i)
      : (typeof axes === 'number' ? [axes] : axes).map((a) => (a < 0 ? a + rank : a));
  return shape.map((d, i) => (list.includes(i) ? 1 : d));
}

/** Sum over `axes` (all by default). Gradient: `sum` in gradients.ts. */
export function sum(x: Variable, axes?: Axes, options: ReduceOptions = {}): Variable {
  const kept = keptShape(x.shape, axes);
  return recordOp('sum', [x], T.sum(x.value, axes, options), [], { kept, inputShape: x.shape });
}

export function mean(x: Variable, axes?: Axes, options: ReduceOptions = {}): Variable {
  const s = sum(x, axes, options);
  const out = mul(s, 1 / T.reducedCount(x.value, axes));
  s.value.dispose();
  return out;
}

/** max/min over `axes`; the gradient (gradients.ts) goes to the positions holding the extreme. */
function extreme(kind: 'max' | 'min', x: Variable, axes: Axes, options: ReduceOptions): Variable {
  const out = kind === 'max' ? T.max(x.value, axes, options) : T.min(x.value, axes, options);
  return recordOp(kind, [x], out, [x.value, out], { axes, kept: keptShape(x.shape, axes) });
}

export const max = (x: Variable, axes?: Axes, options: ReduceOptions = {}) =>
  extreme('max', x, axes, options);
export const min = (x: Variable, axes?: Axes, options: ReduceOptions = {}) =>
  extreme('min', x, axes, options);

/** Composed from differentiable ops, so its gradient needs no rule of its own. */
export function variance(x: Variable, axes?: Axes, options: VarianceOptions = {}): Variable {
  const n = T.reducedCount(x.value, axes);
  return T.scope(() => {
    const d = sub(x, mean(x, axes, { keepdim: true }));
    return mul(sum(mul(d, d), axes, options), 1 / Math.max(n - (options.correction ?? 1), 0));
  });
}
