import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { recordOp } from './record.js';

/**
 * LLaMA's RMSNorm over the last axis: y = w ⊙ x / √(mean(x²) + eps). Saves the input and the
 * weight; its gradient (`rmsNorm` in gradients.ts) recomputes the normalisation from them.
 */
export function rmsNorm(x: Variable, weight: Variable, eps: number): Variable {
  const y = T.rmsNorm(x.value, weight.value, eps);
  return recordOp('rmsNorm', [x, weight], y, [x.value, weight.value], { eps });
}
