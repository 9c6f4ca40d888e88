import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { record } from './record.js';

/**
 * Cross-entropy of `logits` [N, V] against integer `targets` [N] (see the tensor package's
 * `crossEntropy` for the options; ignored rows default to id −100 as in PyTorch).
 *
 * Row i's loss is logΣexp(zᵢ) − zᵢ[tᵢ], whose gradient is softmax(zᵢ) − oneHot(tᵢ). Each row is
 * then weighted by the upstream gradient of its loss: the same scalar for 'sum', that scalar
 * divided by the number of counted rows for 'mean', the row's own entry for 'none'; ignored rows
 * get 0. The count is computed on the GPU, so nothing is read back.
 */
export function crossEntropy(
  logits: Variable,
  targets: T.Tensor,
  options: T.CrossEntropyOptions = {},
): Variable {
  const { ignoreIndex = -100, reduction = 'mean' } = options;
  const loss = T.crossEntropy(logits.value, targets, options);
  return record('crossEntropy', [logits], loss, [logits.value, targets], (g, [zs, ts]) => {
    const [z, t] = [zs, ts] as [T.Tensor, T.Tensor];
    const counted = T.cast(T.ne(t, ignoreIndex), 'f32');
    let weight = T.mul(counted, g); // [N]: g is 0-d for 'sum' and 'mean', [N] for 'none'
    if (reduction === 'mean') weight = T.div(weight, T.sum(counted));
    const delta = T.sub(T.softmax(z, -1), T.oneHot(t, z.shape[1] as number));
    return [T.mul(delta, weight.unsqueeze(-1))];
  });
}
