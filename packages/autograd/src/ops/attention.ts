import * as T from '@llm-streamline/tensor';
import { isGradEnabled } from '../grad-mode.js';
import type { Variable } from '../variable.js';
import { record } from './record.js';

/**
 * Scaled dot-product attention with grouped-query heads, causal mask and offset (the tensor
 * package's `attention`): q [B, Hq, Tq, Dh], k and v [B, Hkv, Tk, Dh], Hq a multiple of Hkv.
 *
 * The backward matches the forward's method (`T.attentionMethod`): the fused forward saves each
 * row's log-sum-exp and `T.attentionGrad` streams over keys and queries with no [Tq, Tk] matrix
 * (what CPU adapters take); the composed route goes through matmuls (below).
 */
export function attention(
  q: Variable,
  k: Variable,
  v: Variable,
  options: T.AttentionOptions = {},
): Variable {
  const training = isGradEnabled() && [q, k, v].some((x) => x.requiresGrad);
  if (!training || T.attentionMethod(q.value, k.value, options) === 'composed')
    return composedGradAttention(q, k, v, options);
  const { out, logsumexp } = T.attentionWithLogsumexp(q.value, k.value, v.value, options);
  const result = record(
    'attention',
    [q, k, v],
    out,
    [q.value, k.value, v.value, out, logsumexp],
    // All three come back; the engine keeps those of inputs that require a gradient and its
    // scope frees the rest.
    (g, [qs, ks, vs, os, lse]) => {
      const { dq, dk, dv } = T.attentionGrad(
        qs as T.Tensor,
        ks as T.Tensor,
        vs as T.Tensor,
        os as T.Tensor,
        lse as T.Tensor,
        g,
        options,
      );
      return [dq, dk, dv];
    },
  );
  logsumexp.dispose(); // the node holds its own handle
  return result;
}

/**
 * The forward of {@link attention} through `T.attention` (fused or composed, as it chooses), with
 * the gradient through matmuls.
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
function composedGradAttention(
  q: Variable,
  k: Variable,
  v: Variable,
  options: T.AttentionOptions,
): Variable {
  const out = T.attention(q.value, k.value, v.value, options);
  return record(
    'attention',
    [q, k, v],
    out,
    [q.value, k.value, v.value, out],
    (g, [qs, ks, vs, os]) => {
      const [qv, kv, vv, ov] = [qs, ks, vs, os] as [T.Tensor, T.Tensor, T.Tensor, T.Tensor];
      const [b, hq, tq, dh] = qv.shape as [number, number, number, number];
      const [, hkv, tk] = kv.shape as [number, number, number, number];
      const rows = (hq / hkv) * tq;
      const scale = options.scale ?? 1 / Math.sqrt(dh);

      const p = T.reshape(T.attentionWeights(qv, kv, options), [b, hkv, rows, tk]);
      const dOut = T.reshape(g, [b, hkv, rows, dh]);
      const dv = v.requiresGrad ? T.matmul(p.transpose(), dOut) : undefined;
      if (!q.requiresGrad && !k.requiresGrad) return [undefined, undefined, dv];

      const dp = T.matmul(dOut, vv.transpose());
      const d = T.sum(T.mul(dOut, T.reshape(ov, [b, hkv, rows, dh])), -1, { keepdim: true });
      const ds = T.softmaxGrad(p, dp, d, scale);
      p.dispose();
      dp.dispose();
      const dq = q.requiresGrad ? T.reshape(T.matmul(ds, kv), [b, hq, tq, dh]) : undefined;
      const dk = k.requiresGrad
        ? T.matmul(ds.transpose(), T.reshape(qv, [b, hkv, rows, dh]))
        : undefined;
      return [dq, dk, dv];
    },
  );
}
