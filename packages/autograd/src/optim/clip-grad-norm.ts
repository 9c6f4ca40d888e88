import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';

export interface ClipGradNormOptions {
  /** Added to the norm before dividing (PyTorch uses 1e-6), so zero gradients stay finite. */
  eps?: number;
}

/**
 * Scales the gradients of `params` so their global L2 norm (over all of them, as if concatenated)
 * is at most `maxNorm`, as `torch.nn.utils.clip_grad_norm_` does: g ← g · min(1, maxNorm / (‖g‖ + eps)).
 *
 * Everything runs on the GPU, including the decision to clip (a `minimum`, not a branch), so
 * nothing is read back. Returns the norm before clipping as a 0-d tensor the caller owns: await
 * `item(norm)` to log it (that waits for the GPU), or just dispose it.
 */
export function clipGradNorm(
  params: Iterable<Variable>,
  maxNorm: number,
  { eps = 1e-6 }: ClipGradNormOptions = {},
): T.Tensor {
  if (!(maxNorm > 0))
    throw new RangeError(`clipGradNorm: maxNorm must be positive, got ${maxNorm}`);
  const withGrads = [...new Set(params)].filter((p) => p.grad);
  return T.scope(() => {
    const squares = withGrads.map((p) => {
      const g = p.grad as T.Tensor;
      return T.sum(T.mul(g, g));
    });
    const total = squares.length === 0 ? T.zeros([]) : squares.reduce((a, b) => T.add(a, b));
    const norm = T.sqrt(total);
    const coef = T.minimum(T.div(maxNorm, T.add(norm, eps)), 1);
    for (const p of withGrads) {
      const clipped = T.keep(T.mul(p.grad as T.Tensor, coef));
      p.grad?.dispose();
      p.grad = clipped;
    }
    return norm;
  });
}
