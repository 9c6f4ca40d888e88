import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { recordOp } from './record.js';

/**
 * y = x·Wᵀ + b for x [..., in], W [out, in] (PyTorch's layout), b [out]: `torch.nn.functional.linear`.
 *
 * One node rather than reshape → matmul → transpose → add, for two reasons: leading dims are
 * flattened so the weight gradient is one [out, N]·[N, in] matmul (not a batch of them summed), and
 * that matmul is written as gᵀ·x, which yields dW directly in W's [out, in] layout. Composing
 * matmul(x, Wᵀ) would produce dWᵀ and hand the optimiser a transposed view it must copy.
 * The rule (`linear` in gradients.ts): dx = g·W,  dW = gᵀ·x,  db = Σ_rows g.
 */
export function linear(x: Variable, weight: Variable, bias?: Variable): Variable {
  const [outDim, inDim] = weight.shape as [number, number];
  if (
    weight.shape.length !== 2 ||
    x.shape[x.shape.length - 1] !== inDim ||
    (bias && (bias.shape.length !== 1 || bias.shape[0] !== outDim))
  ) {
    throw new RangeError(
      `linear: x ${T.formatShape(x.shape)} must be [..., in] for weight ${T.formatShape(weight.shape)} [out, in]${bias ? ` and bias ${T.formatShape(bias.shape)} [out]` : ''}`,
    );
  }
  const xShape = x.shape;
  const outShape = [...xShape.slice(0, -1), outDim];
  const rows = T.reshape(x.value, [-1, inDim]);
  const wT = weight.value.transpose();
  const product = T.matmul(rows, wT);
  wT.dispose();
  const flat = bias ? T.add(product, bias.value) : product;
  if (bias) product.dispose();
  const y = T.reshape(flat, outShape);
  flat.dispose();
  const inputs = bias ? [x, weight, bias] : [x, weight];
  try {
    return recordOp('linear', inputs, y, [rows, weight.value], { xShape, outDim });
  } finally {
    rows.dispose();
  }
}
