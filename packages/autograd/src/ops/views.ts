import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { recordOp } from './record.js';

/**
 * Differentiable views. Each costs no copy forward (reshape copies only when the strides do not
 * allow a view); their gradients (gradients.ts) map the gradient back to the input's layout.
 */

export function reshape(x: Variable, shape: readonly number[]): Variable {
  return recordOp('reshape', [x], T.reshape(x.value, shape), [], { from: x.shape });
}

export function permute(x: Variable, axes: readonly number[]): Variable {
  const inverse = new Array<number>(axes.length);
  axes.forEach((a, i) => {
    inverse[a < 0 ? a + axes.length : a] = i;
  });
  return recordOp('permute', [x], x.value.permute(axes), [], { inverse });
}

export function transpose(x: Variable, a = -2, b = -1): Variable {
  return recordOp('transpose', [x], x.value.transpose(a, b), [], { a, b });
}

export function expand(x: Variable, shape: readonly number[]): Variable {
  return recordOp('expand', [x], x.value.expand(shape), []);
}

export function unsqueeze(x: Variable, axis: number): Variable {
  return recordOp('unsqueeze', [x], x.value.unsqueeze(axis), [], { from: x.shape });
}

export function squeeze(x: Variable, axis?: number): Variable {
  return recordOp('squeeze', [x], x.value.squeeze(axis), [], { from: x.shape });
}

export function contiguous(x: Variable): Variable {
  return recordOp('contiguous', [x], T.contiguous(x.value), []);
}

export function narrow(x: Variable, axis: number, start: number, length: number): Variable {
  return recordOp('narrow', [x], x.value.narrow(axis, start, length), [], {
    from: x.shape,
    axis,
    start,
  });
}

/** Python-style `x[..., start:end]` on one axis. */
export function slice(x: Variable, axis: number, start: number, end?: number): Variable {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const dim = x.shape[a] as number;
  const s = start < 0 ? start + dim : start;
  const e = end === undefined ? dim : end < 0 ? end + dim : end;
  return narrow(x, a, s, Math.max(0, e - s));
}
