import { formatShape, normalizeAxis } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Splits `x` along `axis` (default 0) into views (no copy; dispose each when done):
 * a number `n` gives n equal parts (the axis must divide evenly; note this differs from
 * `torch.split`, whose number is a part size), an array gives parts of those sizes (summing to
 * the axis length). Use `contiguous(part)` on a part that a kernel needs dense.
 */
export function split(x: Tensor, sizesOrCount: number | readonly number[], axis = 0): Tensor[] {
  x.assertAlive('split');
  const a = normalizeAxis(axis, x.rank, 'split');
  const dim = x.shape[a] as number;
  let sizes: readonly number[];
  if (typeof sizesOrCount === 'number') {
    const count = sizesOrCount;
    if (!Number.isInteger(count) || count <= 0 || dim % count !== 0) {
      throw new RangeError(
        `split: cannot split axis ${a} (size ${dim}) of ${formatShape(x.shape)} into ${count} equal parts`,
      );
    }
    sizes = new Array<number>(count).fill(dim / count);
  } else {
    sizes = sizesOrCount;
    const total = sizes.reduce((s, n) => s + n, 0);
    if (sizes.some((n) => !Number.isInteger(n) || n < 0) || total !== dim) {
      throw new RangeError(
        `split: sizes [${sizes.join(', ')}] must be non-negative integers summing to axis ${a} (size ${dim}) of ${formatShape(x.shape)}`,
      );
    }
  }
  let start = 0;
  return sizes.map((n) => {
    const part = x.narrow(a, start, n);
    start += n;
    return part;
  });
}
