import { formatShape, reshape, sum, type Tensor } from '@llm-streamline/tensor';

/**
 * Reduces a gradient computed at a broadcast shape back to an input's shape: sums over the
 * leading dims broadcasting added and over dims where the input had size 1.
 * Returns the gradient itself (a new handle) when the shapes already agree.
 */
export function sumToShape(grad: Tensor, shape: readonly number[]): Tensor {
  if (grad.rank === shape.length && grad.shape.every((d, i) => d === shape[i]))
    return grad.view(grad.layout);
  const lead = grad.rank - shape.length;
  if (lead < 0)
    throw new RangeError(
      `sumToShape: gradient ${formatShape(grad.shape)} has fewer dims than ${formatShape(shape)}`,
    );
  const axes: number[] = [];
  for (let i = 0; i < grad.rank; i++)
    if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) axes.push(i);
  const reduced = sum(grad, axes, { keepdim: true });
  const out = reshape(reduced, shape);
  reduced.dispose();
  return out;
}
