import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { recordOp } from './record.js';

/**
 * Cross-entropy of `logits` [N, V] against integer `targets` [N] (see the tensor package's
 * `crossEntropy` for the options; ignored rows default to id −100 as in PyTorch). The gradient
 * (`crossEntropy` in gradients.ts) is softmax − oneHot per row, recomputed from the saved logits.
 */
export function crossEntropy(
  logits: Variable,
  targets: T.Tensor,
  options: T.CrossEntropyOptions = {},
): Variable {
  const { ignoreIndex = -100, reduction = 'mean' } = options;
  const loss = T.crossEntropy(logits.value, targets, options);
  return recordOp('crossEntropy', [logits], loss, [logits.value, targets], {
    ignoreIndex,
    reduction,
  });
}
