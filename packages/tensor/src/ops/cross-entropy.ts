import { runCrossEntropy } from '../kernels/cross-entropy-kernel.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { div } from './binary.js';
import { contiguous } from './copy.js';
import { requireDType } from './dtype-check.js';
import { sum } from './reduce.js';

export interface CrossEntropyOptions {
  /** Rows whose target equals this contribute nothing and are left out of the mean. Default −100, as PyTorch. */
  ignoreIndex?: number;
  /** `'mean'` (default) over counted rows, `'sum'`, or `'none'` for the per-row losses [N]. */
  reduction?: 'mean' | 'sum' | 'none';
}

/**
 * Cross-entropy of f32 `logits` ([N, V], any layout) against class ids `targets` ([N], i32 or
 * u32), computed per row as `(max − logit[target]) + log Σ exp(logits − max)`: stable for logits
 * of any size, with no softmax materialised.
 *
 * Ignored rows have loss 0 and, for `'mean'`, do not count (all rows ignored gives NaN, as in
 * PyTorch). A target outside [0, V) that is not the ignore index gives a NaN loss instead of
 * reading out of bounds. `'mean'` and `'sum'` return a 0-d tensor.
 */
export function crossEntropy(
  logits: Tensor,
  targets: Tensor,
  options: CrossEntropyOptions = {},
): Tensor {
  requireDType(logits, ['f32'], 'crossEntropy', 'logits');
  requireDType(targets, ['i32', 'u32'], 'crossEntropy', 'targets');
  const { ignoreIndex = -100, reduction = 'mean' } = options;
  if (
    logits.rank !== 2 ||
    targets.rank !== 1 ||
    targets.shape[0] !== logits.shape[0] ||
    logits.shape[1] === 0
  ) {
    throw new RangeError(
      `crossEntropy: expected logits [N, V] with V > 0 and targets [N], got logits ${formatShape(logits.shape)} and targets ${formatShape(targets.shape)}`,
    );
  }
  if (!Number.isInteger(ignoreIndex))
    throw new RangeError(`crossEntropy: ignoreIndex must be an integer, got ${ignoreIndex}`);
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new RangeError(
      `crossEntropy: reduction must be 'mean', 'sum' or 'none', got '${reduction}'`,
    );
  }
  const dense = contiguous(targets);
  const { loss, counted } = runCrossEntropy(logits.device, logits, dense, ignoreIndex);
  dense.dispose();
  if (reduction === 'none') {
    counted.dispose();
    return loss;
  }
  const total = sum(loss);
  loss.dispose();
  if (reduction === 'sum') {
    counted.dispose();
    return total;
  }
  const count = sum(counted);
  const mean = div(total, count);
  for (const t of [counted, total, count]) t.dispose();
  return mean;
}
