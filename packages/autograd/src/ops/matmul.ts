import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { record } from './record.js';

/**
 * C = A·B. dA = dC·Bᵀ and dB = Aᵀ·dC, using transposed views (no copies); batch dims that were
 * broadcast are summed back by backward.
 */
export function matmul(a: Variable, b: Variable): Variable {
  return record('matmul', [a, b], T.matmul(a.value, b.value), [a.value, b.value], (g, [av, bv]) => [
    a.requiresGrad ? T.matmul(g, (bv as T.Tensor).transpose()) : undefined,
    b.requiresGrad ? T.matmul((av as T.Tensor).transpose(), g) : undefined,
  ]);
}
