import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { record } from './record.js';

/**
 * Rotary position embedding (see the tensor package's `rope` for the options). Each pair of
 * elements is rotated by a fixed angle, a linear map whose transpose is the rotation by the
 * opposite angle, so the gradient is RoPE with `inverse` flipped. `invFreq` is a constant.
 */
export function rope(x: Variable, invFreq: T.Tensor, options: T.RopeOptions): Variable {
  const inverse = { ...options, inverse: !options.inverse };
  return record('rope', [x], T.rope(x.value, invFreq, options), [invFreq], (g, [freq]) => [
    T.rope(g, freq as T.Tensor, inverse),
  ]);
}
