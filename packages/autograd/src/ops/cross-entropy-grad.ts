import * as T from '@llm-streamline/tensor';

/** What a cross-entropy's forward knew that its gradient needs. */
export interface CrossEntropyReduction {
  ignoreIndex: number;
  reduction: 'mean' | 'sum' | 'none';
}

/**
 * Row i's loss is logΣexp(zᵢ) − zᵢ[tᵢ]; this is the upstream gradient each row's loss receives:
 * the same scalar `g` for 'sum', that scalar over the number of counted rows for 'mean', the
 * row's own entry of `g` for 'none'; ignored rows get 0. The count is computed on the GPU, so
 * nothing is read back. Returns [N] for targets [N].
 */
export function crossEntropyRowWeights(
  g: T.Tensor,
  targets: T.Tensor,
  { ignoreIndex, reduction }: CrossEntropyReduction,
): T.Tensor {
  const counted = T.cast(T.ne(targets, ignoreIndex), 'f32');
  const weights = T.mul(counted, g); // g is 0-d for 'sum' and 'mean', [N] for 'none'
  if (reduction !== 'mean') {
    counted.dispose();
    return weights;
  }
  const count = T.sum(counted);
  const mean = T.div(weights, count);
  for (const t of [counted, weights, count]) t.dispose();
  return mean;
}

/**
 * The gradient of the row losses with respect to the logits z [N, V], given their softmax
 * `probabilities`: (softmax(zᵢ) − oneHot(tᵢ)) scaled by row i's weight (see
 * {@link crossEntropyRowWeights}). Taking the probabilities rather than z lets a caller that owns
 * z free it first; each temporary here is freed as soon as the next is made, so with z gone at
 * most three [N, V] tensors are alive at once (what chunked callers bound their memory by).
 */
export function crossEntropyLogitsGrad(
  probabilities: T.Tensor,
  targets: T.Tensor,
  rowWeights: T.Tensor,
): T.Tensor {
  const oneHot = T.oneHot(targets, probabilities.shape[1] as number);
  const delta = T.sub(probabilities, oneHot);
  oneHot.dispose();
  const column = rowWeights.unsqueeze(-1);
  try {
    return T.mul(delta, column);
  } finally {
    delta.dispose();
    column.dispose();
  }
}
