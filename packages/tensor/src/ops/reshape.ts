import type { Shape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './copy.js';

/**
 * Same data, new shape (one entry may be -1): a view when the strides allow it
 * (`Tensor.reshapeView`), else a dense copy reshaped.
 */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const view = x.reshapeView(shape);
  if (view) return view;
  const dense = contiguous(x);
  const out = dense.reshapeView(shape) as Tensor; // a dense layout reshapes to any shape of its size
  dense.dispose();
  return out;
}
