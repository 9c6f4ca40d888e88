import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { recordOp } from './record.js';
import { foldRowChunks } from './row-chunks.js';

export interface LinearCrossEntropyOptions {
  /** `'mean'` (default) over the counted rows, or `'sum'`. */
  reduction?: 'mean' | 'sum';
  /** Rows whose target equals this contribute nothing and are left out of the mean. Default −100, as PyTorch. */
  ignoreIndex?: number;
  /** Rows of logits computed at once. Default {@link defaultChunkRows} of the vocabulary. */
  chunkRows?: number;
}

/**
 * The byte budget of one chunk of f32 logits [rows, V] by default: 64 MiB. Small enough that a
 * chunk, and the two others its backward holds beside it (softmax, one-hot, their difference), fit
 * the 128 MiB binding every WebGPU adapter guarantees and stay well below the weights of any model
 * whose vocabulary makes logits matter (Llama 3's head alone is 1 GiB in f32); large enough that
 * each chunk's matmul still has hundreds of rows (524 for V = 32000, 130 for V = 128256), so
 * chunking costs few extra dispatches.
 */
export const LOGITS_CHUNK_BYTES = 64 * 2 ** 20;

/** Rows per chunk whose f32 logits fit {@link LOGITS_CHUNK_BYTES}: max(1, ⌊budget / (V·4)⌋). */
export function defaultChunkRows(vocabSize: number): number {
  return Math.max(1, Math.floor(LOGITS_CHUNK_BYTES / (vocabSize * 4)));
}

/**
 * Cross-entropy of the logits x·Wᵀ (x [N, D], W [V, D] as `linear`'s weight, no bias) against
 * class ids `targets` [N] (i32 or u32), equal to `crossEntropy(linear(x, W), targets)` but
 * without ever holding the [N, V] logits: they are computed `chunkRows` rows at a time, each chunk
 * reduced to its summed loss and freed before the next. Backward (`linearCrossEntropy` in
 * gradients.ts) recomputes each chunk's logits rather than keeping them. Device memory thus stays
 * at a few chunks whatever N is: what scoring an LM head over many tokens needs when V is large.
 *
 * W is only ever read by matmul (as Wᵀ for the logits, as W for dx), so any dtype matmul accepts
 * works. Returns a 0-d loss; ignored rows count as in {@link crossEntropy}.
 */
export function linearCrossEntropy(
  x: Variable,
  weight: Variable,
  targets: T.Tensor,
  options: LinearCrossEntropyOptions = {},
): Variable {
  const [rows, inDim] = x.shape as [number, number];
  const [vocab, weightInDim] = weight.shape as [number, number];
  if (
    x.shape.length !== 2 ||
    weight.shape.length !== 2 ||
    inDim !== weightInDim ||
    targets.rank !== 1 ||
    targets.shape[0] !== rows ||
    vocab === 0
  ) {
    throw new RangeError(
      `linearCrossEntropy: expected x [N, D], weight [V, D] with V > 0 and targets [N], got x ${T.formatShape(x.shape)}, weight ${T.formatShape(weight.shape)} and targets ${T.formatShape(targets.shape)}`,
    );
  }
  if (targets.dtype !== 'i32' && targets.dtype !== 'u32')
    throw new TypeError(`linearCrossEntropy: targets must be i32 or u32, got ${targets.dtype}`);
  const { reduction = 'mean', ignoreIndex = -100, chunkRows = defaultChunkRows(vocab) } = options;
  if (reduction !== 'mean' && reduction !== 'sum')
    throw new RangeError(
      `linearCrossEntropy: reduction must be 'mean' or 'sum', got '${reduction}'`,
    );
  if (!Number.isInteger(ignoreIndex))
    throw new RangeError(`linearCrossEntropy: ignoreIndex must be an integer, got ${ignoreIndex}`);
  if (!Number.isInteger(chunkRows) || chunkRows < 1)
    throw new RangeError(
      `linearCrossEntropy: chunkRows must be a positive integer, got ${chunkRows}`,
    );

  const total = T.scope(() => {
    const wT = weight.value.transpose();
    const summed =
      foldRowChunks(x.value.device, rows, chunkRows, (start, n, acc) => {
        const logits = T.matmul(x.value.narrow(0, start, n), wT);
        const part = T.crossEntropy(logits, targets.narrow(0, start, n), {
          ignoreIndex,
          reduction: 'sum',
        });
        return acc ? T.add(acc, part) : part;
      }) ?? T.zeros([], 'f32', x.value.device);
    if (reduction === 'sum') return summed;
    const counted = T.cast(T.ne(targets, ignoreIndex), 'f32');
    return T.div(summed, T.sum(counted));
  });
  return recordOp('linearCrossEntropy', [x, weight], total, [x.value, weight.value, targets], {
    ignoreIndex,
    reduction,
    chunkRows,
  });
}
