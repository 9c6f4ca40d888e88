import { runRmsNorm } from '../kernels/rms-norm-kernel.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './copy.js';
import { requireDType } from './dtype-check.js';

/**
 * RMS normalisation over the last axis, as LLaMA does it:
 * `weight * (x * rsqrt(mean(x², -1) + eps))`, with `weight` of shape `[D]` for `x` of shape `[…, D]`.
 * `x` may be any view; `eps` is usually the model config's `rms_norm_eps` (1e-5 or 1e-6).
 */
export function rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor {
  requireDType(x, ['f32'], 'rmsNorm', 'x');
  requireDType(weight, ['f32'], 'rmsNorm', 'weight');
  const d = x.shape[x.rank - 1];
  if (x.rank === 0 || weight.rank !== 1 || weight.shape[0] !== d) {
    throw new RangeError(
      `rmsNorm: weight ${formatShape(weight.shape)} must be [D] for x ${formatShape(x.shape)} of shape [..., D]`,
    );
  }
  const w = contiguous(weight);
  try {
    return runRmsNorm(x.device, x, w, eps);
  } finally {
    w.dispose();
  }
}
