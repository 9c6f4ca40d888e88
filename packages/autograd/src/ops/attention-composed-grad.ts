import * as T from '@llm-streamline/tensor';

/**
 * The gradient of attention whose forward went through `T.attention` (fused or composed, as it
 * chose), computed through matmuls: the `attention` entry of the gradient table sends here when
 * the forward saved no log-sum-exp. Saved: q, k, v and the output.
 *
 * The forward never materialises the [Tq, Tk] probabilities, so backward recomputes them
 * (P = attentionWeights(q, k), masked entries exactly 0) and then, with S = scale·q·kᵀ:
 *   dV = Pᵀ·dO,  dP = dO·Vᵀ,  dS = P ⊙ (dP − D)·scale,  dQ = dS·K,  dK = dSᵀ·Q,
 * where D = rowsum(dP ⊙ P) is computed as rowsum(dO ⊙ O) (equal, since dP = dO·Vᵀ and O = P·V;
 * FlashAttention's trick): a reduction over Dh instead of over Tk. Masked entries get dS = 0
 * because P is 0 there. Backward holds one [B, Hq, Tq, Tk] tensor at a time (P, then dP, then dS).
 *
 * Grouped-query attention: query head h reads kv head ⌊h / G⌋ with G = Hq / Hkv, so the G query
 * heads of one kv head are adjacent. Reshaping [B, Hq, Tq, ·] to [B, Hkv, G·Tq, ·] stacks those
 * heads' rows, and the matmuls for dK and dV then sum over the group in their contraction: no
 * separate reduction, no repeated k and v.
 */
export function composedAttentionGrad(
  g: T.Tensor,
  [qv, kv, vv, ov]: readonly T.Tensor[],
  options: T.AttentionOptions,
  [needQ, needK, needV]: readonly boolean[],
): (T.Tensor | undefined)[] {
  const [b, hq, tq, dh] = qv.shape as [number, number, number, number];
  const [, hkv, tk] = kv.shape as [number, number, number, number];
  const rows = (hq / hkv) * tq;
  const scale = options.scale ?? 1 / Math.sqrt(dh);

  const p = T.reshape(T.attentionWeights(qv, kv, options), [b, hkv, rows, tk]);
  const dOut = T.reshape(g, [b, hkv, rows, dh]);
  const dv = needV ? T.matmul(p.transpose(), dOut) : undefined;
  if (!needQ && !needK) return [undefined, undefined, dv];

  const dp = T.matmul(dOut, vv.transpose());
  const d = T.sum(T.mul(dOut, T.reshape(ov, [b, hkv, rows, dh])), -1, { keepdim: true });
  const ds = T.softmaxGrad(p, dp, d, scale);
  p.dispose();
  dp.dispose();
  const dq = needQ ? T.reshape(T.matmul(ds, kv), [b, hq, tq, dh]) : undefined;
  const dk = needK ? T.matmul(ds.transpose(), T.reshape(qv, [b, hkv, rows, dh])) : undefined;
  return [dq, dk, dv];
}
