import { formatShape, normalizeAxis } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { requireComputable } from './dtype-check.js';
import { writeInto } from './write-into.js';

/**
 * Concatenates tensors along an existing `axis` (default 0). All must share dtype, device, rank
 * and every other dim. Each input is written straight into its slice of the output with
 * {@link writeInto} (one kernel per non-empty input, reading it through its own strides), so
 * there are no intermediate buffers and views cost no extra copy.
 */
export function cat(tensors: readonly Tensor[], axis = 0): Tensor {
  const first = tensors[0];
  if (!first) throw new RangeError('cat: needs at least one tensor');
  tensors.forEach((t, k) => {
    requireComputable(t, 'cat', `tensor ${k}`);
  });
  const a = normalizeAxis(axis, first.rank, 'cat');
  const shapes = () => tensors.map((t) => `${t.dtype}${formatShape(t.shape)}`).join(', ');
  for (const t of tensors) {
    const sameOtherDims =
      t.rank === first.rank && t.shape.every((d, i) => i === a || d === first.shape[i]);
    if (!sameOtherDims || t.dtype !== first.dtype) {
      throw new RangeError(
        `cat: along axis ${a} every tensor needs the same dtype and dims except axis ${a}; got ${shapes()}`,
      );
    }
    if (t.device !== first.device)
      throw new Error(`cat: tensors live on different devices (${shapes()})`);
  }
  if (first.rank === 0)
    throw new RangeError(`cat: cannot concatenate 0-d tensors; use stack (got ${shapes()})`);
  const shape = [...first.shape];
  shape[a] = tensors.reduce((n, t) => n + (t.shape[a] as number), 0);
  const device = first.device;
  const out = Tensor.empty(device, shape, first.dtype);
  let start = 0;
  for (const t of tensors) {
    const length = t.shape[a] as number;
    if (length > 0 && t.size > 0) {
      const slice = out.narrow(a, start, length);
      writeInto(slice, t);
      slice.dispose();
    }
    start += length;
  }
  return out;
}

/** Stacks same-shaped tensors along a new `axis` (default 0): `stack([a, b], 1)` of [2, 3]s is [2, 2, 3]. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  const first = tensors[0];
  if (!first) throw new RangeError('stack: needs at least one tensor');
  for (const t of tensors) {
    t.assertAlive('stack');
    if (t.rank !== first.rank || t.shape.some((d, i) => d !== first.shape[i])) {
      throw new RangeError(
        `stack: every tensor needs the same shape; got ${tensors.map((x) => formatShape(x.shape)).join(', ')}`,
      );
    }
  }
  const a = normalizeAxis(axis, first.rank + 1, 'stack');
  const columns = tensors.map((t) => t.unsqueeze(a));
  try {
    return cat(columns, a);
  } finally {
    for (const c of columns) c.dispose();
  }
}
