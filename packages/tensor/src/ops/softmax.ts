import { runSoftmax, type SoftmaxKind } from '../kernels/softmax-kernel.js';
import { normalizeAxis } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireDType } from './dtype-check.js';
import { reshape } from './reshape.js';

/**
 * `exp(x) / Σ exp(x)` along `axis` (default: the last), for f32 `x` of any layout. The row max is
 * subtracted first, so logits of any magnitude give finite probabilities.
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  requireDType(x, ['f32'], 'softmax', 'x');
  return alongAxis(x, axis, 'softmax');
}

/**
 * `x − log Σ exp(x)` along `axis` (default: the last), computed as `x − max − log Σ exp(x − max)`:
 * stable for large logits and exact far into the tail, where `log(softmax(x))` would give −∞.
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  requireDType(x, ['f32'], 'logSoftmax', 'x');
  return alongAxis(x, axis, 'logSoftmax');
}

function alongAxis(x: Tensor, axis: number, kind: SoftmaxKind): Tensor {
  // A scalar is a row of one element (axis 0 or −1, as PyTorch allows).
  const a = normalizeAxis(axis, Math.max(x.rank, 1), kind);
  if (x.rank > 0) return runSoftmax(x.device, kind, x, a);
  const row = reshape(x, [1]);
  const y = runSoftmax(x.device, kind, row, 0);
  const out = reshape(y, []);
  row.dispose();
  y.dispose();
  return out;
}
