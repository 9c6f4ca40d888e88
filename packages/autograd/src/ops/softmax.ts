import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { recordOp } from './record.js';

/** softmax along `axis`. Saves only the output, from which its gradient is computed. */
export function softmax(x: Variable, axis = -1): Variable {
  const y = T.softmax(x.value, axis);
  return recordOp('softmax', [x], y, [y], { axis });
}

/** log-softmax along `axis`. Saves only the output, from which its gradient is computed. */
export function logSoftmax(x: Variable, axis = -1): Variable {
  const y = T.logSoftmax(x.value, axis);
  return recordOp('logSoftmax', [x], y, [y], { axis });
}
