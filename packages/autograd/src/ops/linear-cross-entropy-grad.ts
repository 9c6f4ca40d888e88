import * as T from '@llm-streamline/tensor';
import {
  type CrossEntropyReduction,
  crossEntropyLogitsGrad,
  crossEntropyRowWeights,
} from './cross-entropy-grad.js';
import { foldRowChunks } from './row-chunks.js';

/** What `linearCrossEntropy`'s forward knew: its reduction and how many rows it chunked by. */
export interface LinearCrossEntropyAttrs extends CrossEntropyReduction {
  chunkRows: number;
}

/**
 * The gradient of `linearCrossEntropy` (saved: x [N, D], W [V, D], targets [N]). Per chunk of
 * rows, the logits z = x_c·Wᵀ are recomputed (keeping them from the forward would hold all N
 * rows, which is what the op avoids), then
 *   dz = (softmax(z) − oneHot(t_c)) ⊙ the rows' upstream weights,  dx_c = dz·W,  dW += dzᵀ·x_c,
 * and everything of the chunk is freed before the next. dx is written into its rows of one [N, D]
 * tensor; dW ([V, D], only when W requires a gradient) is summed over the chunks.
 */
export function linearCrossEntropyGrad(
  g: T.Tensor,
  saved: readonly T.Tensor[],
  attrs: LinearCrossEntropyAttrs,
  [needX, needW]: readonly boolean[],
): (T.Tensor | undefined)[] {
  const [x, w, targets] = saved as [T.Tensor, T.Tensor, T.Tensor];
  const [rows, inDim] = x.shape as [number, number];
  const rowWeights = crossEntropyRowWeights(g, targets, attrs);
  const wT = w.transpose();
  const dx = needX ? T.zeros([rows, inDim], 'f32', x.device) : undefined;
  const dw = foldRowChunks(x.device, rows, attrs.chunkRows, (start, n, dwSoFar) => {
    const xc = x.narrow(0, start, n);
    const logits = T.matmul(xc, wT);
    const probabilities = T.softmax(logits, -1);
    logits.dispose(); // before the one-hot: three [n, V] tensors at most (see crossEntropyLogitsGrad)
    const dz = crossEntropyLogitsGrad(
      probabilities,
      targets.narrow(0, start, n),
      rowWeights.narrow(0, start, n),
    );
    probabilities.dispose();
    if (dx) T.writeInto(dx.narrow(0, start, n), T.matmul(dz, w));
    if (!needW) return undefined;
    const part = T.matmul(dz.transpose(), xc);
    return dwSoFar ? T.add(dwSoFar, part) : part;
  });
  rowWeights.dispose();
  wT.dispose();
  return [dx, dw];
}
