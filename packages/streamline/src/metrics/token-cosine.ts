import { div, maximum, mul, scope, sqrt, sum, type Tensor } from '@llm-streamline/tensor';

/**
 * Cosine similarity of matching rows (tokens) of two hidden states [B, T, D] → [B, T]:
 * ⟨a, b⟩ / (‖a‖·‖b‖), with the norms floored at 1e-12 as PyTorch's cosine_similarity does.
 */
export function tokenCosine(a: Tensor, b: Tensor): Tensor {
  return scope(() => {
    const dot = sum(mul(a, b), -1);
    const norms = mul(sqrt(sum(mul(a, a), -1)), sqrt(sum(mul(b, b), -1)));
    return div(dot, maximum(norms, 1e-12));
  });
}
