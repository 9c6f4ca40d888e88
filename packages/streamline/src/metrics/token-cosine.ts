import { div, maximum, mul, scope, sqrt, sum, type Tensor } from '@llm-streamline/tensor';

/**
 * Each row (token) of a hidden state [B, T, D] divided by its norm, the norm floored at 1e-12 as
 * PyTorch's `cosine_similarity` does: cosines between unit rows are plain dot products.
 */
export function unitRows(h: Tensor): Tensor {
  return scope(() => div(h, maximum(sqrt(sum(mul(h, h), -1, { keepdim: true })), 1e-12)));
}

/** Dot product of matching rows (tokens) of two [B, T, D] tensors → [B, T]. */
export function rowDot(a: Tensor, b: Tensor): Tensor {
  return scope(() => sum(mul(a, b), -1));
}

/**
 * Cosine similarity of matching rows (tokens) of two hidden states [B, T, D] → [B, T]:
 * ⟨a/‖a‖, b/‖b‖⟩ with each norm floored at 1e-12, as PyTorch's `cosine_similarity` computes it.
 */
export function tokenCosine(a: Tensor, b: Tensor): Tensor {
  return scope(() => rowDot(unitRows(a), unitRows(b)));
}
