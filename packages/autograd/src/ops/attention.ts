import * as T from '@llm-streamline/tensor';
import { isGradEnabled } from '../grad-mode.js';
import type { Variable } from '../variable.js';
import { recordOp } from './record.js';

/**
 * Scaled dot-product attention with grouped-query heads, causal mask and offset (the tensor
 * package's `attention`): q [B, Hq, Tq, Dh], k and v [B, Hkv, Tk, Dh], Hq a multiple of Hkv.
 *
 * The backward matches the forward's method (`T.attentionMethod`): the fused forward saves each
 * row's log-sum-exp and `T.attentionGrad` streams over keys and queries with no [Tq, Tk] matrix
 * (what CPU adapters take); the composed route goes through matmuls
 * (`composedAttentionGrad`). Both are the `attention` entry of gradients.ts.
 */
export function attention(
  q: Variable,
  k: Variable,
  v: Variable,
  options: T.AttentionOptions = {},
): Variable {
  const training = isGradEnabled() && [q, k, v].some((x) => x.requiresGrad);
  if (!training || T.attentionMethod(q.value, k.value, options) === 'composed') {
    // T.attention picks fused or composed itself; the gradient recomputes the probabilities.
    const out = T.attention(q.value, k.value, v.value, options);
    const saved = [q.value, k.value, v.value, out];
    return recordOp('attention', [q, k, v], out, saved, { options, fused: false });
  }
  const { out, logsumexp } = T.attentionWithLogsumexp(q.value, k.value, v.value, options);
  const saved = [q.value, k.value, v.value, out, logsumexp];
  const result = recordOp('attention', [q, k, v], out, saved, { options, fused: true });
  logsumexp.dispose(); // the node holds its own handle
  return result;
}
