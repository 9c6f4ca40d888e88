import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { recordOp } from './record.js';

/**
 * Rotary position embedding (see the tensor package's `rope` for the options). `invFreq` is a
 * constant. The gradient (`rope` in gradients.ts) is RoPE with `inverse` flipped.
 */
export function rope(x: Variable, invFreq: T.Tensor, options: T.RopeOptions): Variable {
  return recordOp('rope', [x], T.rope(x.value, invFreq, options), [invFreq], { options });
}
