import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';

/**
 * Gradient accumulation: a batch too large for memory is split into micro-batches, and each
 * micro-batch's backward *adds* into the parameters' `.grad` (backward never overwrites). The
 * optimiser then steps once, on the sum. To make that sum the gradient of the *mean* loss over the
 * whole batch, each micro-batch's loss is scaled by 1/microBatches — which is what this does,
 * by seeding backward with that factor instead of building a scaled loss:
 *
 * ```ts
 * opt.zeroGrad();
 * for (const batch of microBatches) {
 *   T.scope(() => backwardMicroBatch(lossOf(batch), microBatches.length));
 * }
 * opt.step();
 * ```
 *
 * Equivalent to one backward over the concatenated batch when the loss is a mean over equally
 * sized micro-batches.
 */
export function backwardMicroBatch(loss: Variable, microBatches: number): void {
  if (!(Number.isInteger(microBatches) && microBatches > 0)) {
    throw new RangeError(
      `backwardMicroBatch: microBatches must be a positive integer, got ${microBatches}`,
    );
  }
  if (loss.value.size !== 1)
    throw new RangeError(
      `backwardMicroBatch: loss ${T.formatShape(loss.shape)} must have one element`,
    );
  const seed = T.full(loss.shape, 1 / microBatches, 'f32', loss.value.device);
  try {
    loss.backward(seed);
  } finally {
    seed.dispose();
  }
}

/** Multiplies every existing gradient by `factor` in place of the old one (e.g. 1/n after summing n backwards). */
export function scaleGrads(params: Iterable<Variable>, factor: number): void {
  for (const p of params) {
    if (!p.grad) continue;
    const scaled = T.keep(T.mul(p.grad, factor));
    p.grad.dispose();
    p.grad = scaled;
  }
}
