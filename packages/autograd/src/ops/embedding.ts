import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { recordOp } from './record.js';

/**
 * Row lookup `weight[ids]` ([...ids.shape, D]); `ids` are integers, not differentiated. The
 * weight's gradient (`embedding` in gradients.ts) scatters each output row's gradient back onto
 * the row it was read from, which the tensor package does deterministically.
 */
export function embedding(weight: Variable, ids: T.Tensor): Variable {
  const vocabSize = weight.shape[0] as number;
  return recordOp('embedding', [weight], T.embedding(weight.value, ids), [ids], { vocabSize });
}
