import { type AttentionProblem, causalSpan } from '../kernels/attention-kernel.js';
import { runMaskedSoftmax } from '../kernels/masked-softmax-kernel.js';
import type { Tensor } from '../tensor/tensor.js';
import { matmul } from './matmul.js';
import { reshape } from './reshape.js';

/**
 * Attention as two matmuls around a masked softmax — what attention costs when the score matrix
 * fits comfortably in memory: the register-blocked matmul reuses each loaded key and value across
 * many queries, which the fused per-row kernel cannot.
 *
 * Grouped-query heads need no copies of k and v: q [B, Hq, Tq, Dh] is viewed as
 * [B, Hkv, G·Tq, Dh] (the G query heads sharing a kv head are adjacent), so one batched matmul per
 * kv head scores all of its query heads. Row r of a group is query t = r mod Tq.
 */
export function attentionProbabilities(problem: Omit<AttentionProblem, 'v'>): Tensor {
  const { q, k, offset, scale } = problem;
  const [b, hq, tq, dh] = q.shape as [number, number, number, number];
  const [, hkv, tk] = k.shape as [number, number, number, number];
  const grouped = reshape(q, [b, hkv, (hq / hkv) * tq, dh]);
  const scores = matmul(grouped, k.transpose());
  const flat = reshape(scores, [-1, tk]);
  const probs = runMaskedSoftmax(
    q.device,
    flat,
    tq,
    offset,
    causalSpan({ ...problem, v: k }),
    scale,
  );
  for (const t of [grouped, scores, flat]) t.dispose();
  const out = reshape(probs, [b, hq, tq, tk]);
  probs.dispose();
  return out;
}

/** softmax(q·kᵀ·scale + mask)·v through {@link attentionProbabilities}. */
export function composedAttention(problem: AttentionProblem): Tensor {
  const { q, k, v } = problem;
  const [b, hq, tq, dh] = q.shape as [number, number, number, number];
  const [, hkv, tk] = k.shape as [number, number, number, number];
  const probs = attentionProbabilities(problem);
  const grouped = reshape(probs, [b, hkv, (hq / hkv) * tq, tk]);
  const context = matmul(grouped, v);
  const out = reshape(context, [b, hq, tq, dh]);
  for (const t of [probs, grouped, context]) t.dispose();
  return out;
}
