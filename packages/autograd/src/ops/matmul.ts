import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { recordOp } from './record.js';

/** C = A·B (gradient: `matmul` in gradients.ts). */
export function matmul(a: Variable, b: Variable): Variable {
  return recordOp('matmul', [a, b], T.matmul(a.value, b.value), [a.value, b.value]);
}
