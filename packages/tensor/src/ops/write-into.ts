import { runPointwise } from '../kernels/pointwise-kernel.js';
import { formatShape, sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireComputable } from './dtype-check.js';

/**
 * Copies `source` (broadcast to the target's shape) into the elements a view `target` addresses,
 * converting dtype. The only op that writes into existing storage: `cat` uses it to fill slices of
 * its output, and autograd to build the gradient of `narrow`. Only write into tensors you own.
 */
export function writeInto(target: Tensor, source: Tensor): void {
  requireComputable(target, 'writeInto', 'target');
  requireComputable(source, 'writeInto', 'source');
  if (!sameShape(target.shape, source.shape) && source.rank > target.rank) {
    throw new RangeError(
      `writeInto: source ${formatShape(source.shape)} does not fit target ${formatShape(target.shape)}`,
    );
  }
  runPointwise(
    target.device,
    { name: 'write_into', expr: 'a', computeType: target.dtype, outType: target.dtype },
    [source],
    target.shape,
    target,
  ).dispose();
}
