import { runSoftmaxGrad } from '../kernels/softmax-grad-kernel.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './copy.js';
import { requireDType } from './dtype-check.js';

/**
 * `p ⊙ (dp − d) · scale` along the last axis: the gradient of the scores under a softmax whose
 * output is `p`, given the incoming gradient `dp` and one correction `d` per row ([..., 1] or
 * [...]) — rowsum(dp ⊙ p), or attention's cheaper equal rowsum(dO ⊙ O). Returns a contiguous tensor
 * of p's shape; non-contiguous inputs are copied first.
 */
export function softmaxGrad(p: Tensor, dp: Tensor, d: Tensor, scale = 1): Tensor {
  for (const [name, t] of [
    ['p', p],
    ['dp', dp],
    ['d', d],
  ] as const)
    requireDType(t, ['f32'], 'softmaxGrad', name);
  const rowShape = p.shape.slice(0, -1);
  const dRows = d.shape.at(-1) === 1 && d.rank === p.rank ? d.shape.slice(0, -1) : d.shape;
  if (p.rank === 0 || dp.shape.join() !== p.shape.join() || dRows.join() !== rowShape.join()) {
    throw new RangeError(
      `softmaxGrad: p ${formatShape(p.shape)} and dp ${formatShape(dp.shape)} must have the same shape, and d ${formatShape(d.shape)} one value per row of them`,
    );
  }
  const [pc, dpc, dc] = [p, dp, d].map((t) => (t.isContiguous ? t : contiguous(t))) as [
    Tensor,
    Tensor,
    Tensor,
  ];
  try {
    return runSoftmaxGrad(p.device, pc, dpc, dc, scale);
  } finally {
    for (const [c, t] of [
      [pc, p],
      [dpc, dp],
      [dc, d],
    ] as const)
      if (c !== t) c.dispose();
  }
}
