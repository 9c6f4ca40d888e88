import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { record } from './record.js';

/**
 * softmax along `axis`. With y = softmax(x), the Jacobian is diag(y) − y·yᵀ per row, so
 * dx = y ⊙ (g − Σ(g ⊙ y)): one reduction, no Jacobian. Saves only the output.
 */
export function softmax(x: Variable, axis = -1): Variable {
  const y = T.softmax(x.value, axis);
  return record('softmax', [x], y, [y], (g, [yv]) => {
    const out = yv as T.Tensor;
    if (out.rank === 0) return [T.zeros([], 'f32', out.device)]; // a one-element row is constantly 1
    const dot = T.sum(T.mul(g, out), axis, { keepdim: true });
    return [T.mul(out, T.sub(g, dot))];
  });
}

/**
 * log-softmax along `axis`. y = x − logΣexp(x), so dx = g − softmax(x)·Σg, and softmax(x) = exp(y)
 * comes from the saved output at the cost of one pointwise kernel.
 */
export function logSoftmax(x: Variable, axis = -1): Variable {
  const y = T.logSoftmax(x.value, axis);
  return record('logSoftmax', [x], y, [y], (g, [yv]) => {
    const out = yv as T.Tensor;
    if (out.rank === 0) return [T.zeros([], 'f32', out.device)];
    const total = T.sum(g, axis, { keepdim: true });
    return [T.sub(g, T.mul(T.exp(out), total))];
  });
}
