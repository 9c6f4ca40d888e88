import * as T from '@llm-streamline/tensor';
import { mul, sub } from '../ops/pointwise.js';
import { mean } from '../ops/reduce.js';
import type { Variable } from '../variable.js';

/** Mean squared error, mean((prediction − target)²), over every element (a 0-d variable). */
export function mseLoss(prediction: Variable, target: Variable): Variable {
  return T.scope(() => {
    const d = sub(prediction, target);
    return mean(mul(d, d));
  });
}
