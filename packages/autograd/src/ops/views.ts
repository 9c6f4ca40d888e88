import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { padInto } from './pad-into.js';
import { record } from './record.js';

/**
 * Differentiable views. Each costs no copy forward; backward maps the gradient back to the
 * input's layout: reshape back, permute by the inverse permutation, expand by summing (done by
 * backward's broadcast reduction), narrow by writing into zeros.
 */

export function reshape(x: Variable, shape: readonly number[]): Variable {
  const from = x.shape;
  return record('reshape', [x], T.reshape(x.value, shape), [], (g) => [T.reshape(g, from)]);
}

export function permute(x: Variable, axes: readonly number[]): Variable {
  const inverse = new Array<number>(axes.length);
  axes.forEach((a, i) => {
    inverse[a < 0 ? a + axes.length : a] = i;
  });
  return record('permute', [x], x.value.permute(axes), [], (g) => [g.permute(inverse)]);
}

export function transpose(x: Variable, a = -2, b = -1): Variable {
  return record('transpose', [x], x.value.transpose(a, b), [], (g) => [g.transpose(a, b)]);
}

export function expand(x: Variable, shape: readonly number[]): Variable {
  // The gradient at the expanded shape is summed back by backward's broadcast reduction.
  return record('expand', [x], x.value.expand(shape), [], (g) => [g]);
}

export function unsqueeze(x: Variable, axis: number): Variable {
  const from = x.shape;
  return record('unsqueeze', [x], x.value.unsqueeze(axis), [], (g) => [T.reshape(g, from)]);
}

export function squeeze(x: Variable, axis?: number): Variable {
  const from = x.shape;
  return record('squeeze', [x], x.value.squeeze(axis), [], (g) => [T.reshape(g, from)]);
}

export function contiguous(x: Variable): Variable {
  return record('contiguous', [x], T.contiguous(x.value), [], (g) => [g]);
}

export function narrow(x: Variable, axis: number, start: number, length: number): Variable {
  const from = x.shape;
  return record('narrow', [x], x.value.narrow(axis, start, length), [], (g) => [
    padInto(g, from, axis, start),
  ]);
}

/** Python-style `x[..., start:end]` on one axis. */
export function slice(x: Variable, axis: number, start: number, end?: number): Variable {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const dim = x.shape[a] as number;
  const s = start < 0 ? start + dim : start;
  const e = end === undefined ? dim : end < 0 ? end + dim : end;
  return narrow(x, a, s, Math.max(0, e - s));
}
