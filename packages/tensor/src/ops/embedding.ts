import { runEmbedding, runEmbeddingBackward } from '../kernels/embedding-kernel.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './copy.js';
import { requireDType } from './dtype-check.js';

/**
 * Looks up rows of `weight` ([V, D], f32, f16 or bf16, any strides) for integer `ids` (i32 or u32,
 * any shape): returns f32 [...ids.shape, D] (16-bit rows widened exactly).
 *
 * Out-of-range ids are clamped to [0, V − 1] (a negative id reads row 0, an id ≥ V reads row
 * V − 1) rather than read out of bounds: kernels run without bounds checks, and a check that
 * throws would need a GPU→CPU readback. Validate ids on the CPU (e.g. in the tokenizer) if a bad
 * id must be an error.
 */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  requireDType(weight, ['f32', 'f16', 'bf16'], 'embedding', 'weight');
  requireDType(ids, ['i32', 'u32'], 'embedding', 'ids');
  if (weight.rank !== 2 || weight.shape[0] === 0) {
    throw new RangeError(
      `embedding: weight ${formatShape(weight.shape)} must be [V, D] with V > 0`,
    );
  }
  const dense = contiguous(ids);
  try {
    return runEmbedding(weight.device, weight, dense, [...ids.shape, weight.shape[1] as number]);
  } finally {
    dense.dispose();
  }
}

/**
 * The gradient of {@link embedding} with respect to its weight: a [V, D] tensor whose row v is the
 * sum of the rows of `grad` ([...ids.shape, D]) at positions whose id is v (clamped as the forward
 * pass clamps). Deterministic: each output element sums its rows in id order.
 */
export function embeddingBackward(grad: Tensor, ids: Tensor, vocabSize: number): Tensor {
  requireDType(grad, ['f32'], 'embeddingBackward', 'grad');
  requireDType(ids, ['i32', 'u32'], 'embeddingBackward', 'ids');
  const dim = grad.shape[grad.rank - 1] as number;
  const expected = [...ids.shape, dim];
  if (grad.rank !== expected.length || grad.shape.some((d, i) => d !== expected[i])) {
    throw new RangeError(
      `embeddingBackward: grad ${formatShape(grad.shape)} must be [...ids.shape, D] for ids ${formatShape(ids.shape)}`,
    );
  }
  if (!Number.isInteger(vocabSize) || vocabSize <= 0)
    throw new RangeError(
      `embeddingBackward: vocabSize must be a positive integer, got ${vocabSize}`,
    );
  const g = contiguous(grad);
  const dense = contiguous(ids);
  try {
    return runEmbeddingBackward(grad.device, g, dense, vocabSize, dim);
  } finally {
    g.dispose();
    dense.dispose();
  }
}
