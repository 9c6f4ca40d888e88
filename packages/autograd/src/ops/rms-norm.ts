import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { record } from './record.js';

/**
 * LLaMA's RMSNorm over the last axis: y = w ⊙ n with n = x·r and r = 1/√(mean(x²) + eps).
 *
 * Gradients, with h = g ⊙ w (the gradient reaching n):
 *   dx = r · (h − n · mean(h ⊙ n))   — the second term is the part of h along x, which the
 *                                      normalisation removes (scaling x leaves n unchanged);
 *   dw = Σ over rows of g ⊙ n       — returned at the row shape; backward sums the rows.
 * r and n are recomputed from the saved input (cheaper than saving a second [..., D] tensor).
 */
export function rmsNorm(x: Variable, weight: Variable, eps: number): Variable {
  const y = T.rmsNorm(x.value, weight.value, eps);
  return record('rmsNorm', [x, weight], y, [x.value, weight.value], (g, [xs, ws]) => {
    const xv = xs as T.Tensor;
    const r = T.rsqrt(T.add(T.mean(T.mul(xv, xv), -1, { keepdim: true }), eps));
    const n = T.mul(xv, r);
    let dx: T.Tensor | undefined;
    if (x.requiresGrad) {
      const h = T.mul(g, ws as T.Tensor);
      const along = T.mean(T.mul(h, n), -1, { keepdim: true });
      dx = T.mul(r, T.sub(h, T.mul(n, along)));
    }
    return [dx, weight.requiresGrad ? T.mul(g, n) : undefined];
  });
}
