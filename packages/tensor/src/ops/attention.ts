import { runAttentionGrad } from '../kernels/attention-grad-kernel.js';
import {
  type AttentionProblem,
  runAttention,
  runAttentionWeights,
} from '../kernels/attention-kernel.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { attentionProbabilities, composedAttention } from './attention-composed.js';
import { mul } from './binary.js';
import { contiguous } from './copy.js';
import { requireDType } from './dtype-check.js';
import { sum } from './reduce.js';

export interface AttentionOptions {
  /** Mask keys after each query's own position. Default true. */
  causal?: boolean;
  /**
   * Absolute position of q's first row among the keys. Default `Tk − Tq`: the queries are the last
   * Tq positions, as when decoding with a KV cache. Query row t sees keys `0..=offset + t`.
   */
  offset?: number;
  /**
   * Sliding-window attention (Mistral, Qwen2): with `causal`, the query at position t sees only
   * keys `t − window < j ≤ t`. Default: no window.
   */
  window?: number;
  /** Multiplier of q·k before the softmax. Default `1 / sqrt(Dh)`. */
  scale?: number;
  /**
   * `fused`: one kernel streaming over keys, never materialising the scores; `composed`: two
   * matmuls around a masked softmax (faster where the scores fit in memory). Default: chosen by size.
   */
  method?: 'fused' | 'composed';
}

/**
 * Scaled dot-product attention, `softmax(q·kᵀ·scale + mask) · v`, fused into one kernel that never
 * materialises the [Tq, Tk] scores.
 *
 * q is [B, Hq, Tq, Dh]; k and v are [B, Hkv, Tk, Dh] with Hq a multiple of Hkv (grouped-query
 * attention: query head h reads kv head `floor(h / (Hq / Hkv))`). Inputs may be views (e.g. a
 * KV cache narrowed to its filled length) as long as Dh is their innermost, unit-stride axis;
 * other layouts are copied first. Returns a contiguous [B, Hq, Tq, Dh].
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): Tensor {
  return withProblem('attention', q, k, v, options, (p) =>
    useComposed(p.q, p.k, options.method) ? composedAttention(p) : runAttention(q.device, p),
  );
}

/**
 * Which implementation {@link attention} picks for these inputs: `fused` (one streaming kernel) or
 * `composed` (matmuls around a masked softmax). Training uses it to choose the matching backward.
 */
export function attentionMethod(
  q: Tensor,
  k: Tensor,
  options: AttentionOptions = {},
): 'fused' | 'composed' {
  return useComposed(q, k, options.method) ? 'composed' : 'fused';
}

/**
 * The fused {@link attention} that also returns each query row's log Σ exp(scores) (contiguous
 * [B, Hq, Tq], the scores scaled and masked): what {@link attentionGrad} needs to recompute the
 * probabilities. Always the fused kernel, whatever `options.method` says.
 */
export function attentionWithLogsumexp(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  options: AttentionOptions = {},
): { out: Tensor; logsumexp: Tensor } {
  const logsumexp = Tensor.empty(q.device, q.shape.slice(0, 3));
  try {
    const out = withProblem('attentionWithLogsumexp', q, k, v, options, (p) =>
      runAttention(q.device, p, logsumexp),
    );
    return { out, logsumexp };
  } catch (e) {
    logsumexp.dispose();
    throw e;
  }
}

/**
 * Gradients of the fused attention with respect to q, k and v, given the forward's inputs, its
 * output `out`, its `logsumexp` (from {@link attentionWithLogsumexp}) and the output's gradient
 * `dOut`, with the same `options`. Never materialises a [Tq, Tk] matrix and skips what the causal
 * mask hides. Returns contiguous tensors shaped like q, k and v.
 */
export function attentionGrad(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  out: Tensor,
  logsumexp: Tensor,
  dOut: Tensor,
  options: AttentionOptions = {},
): { dq: Tensor; dk: Tensor; dv: Tensor } {
  const expected = formatShape(q.shape);
  for (const [name, t] of [
    ['out', out],
    ['dOut', dOut],
  ] as const) {
    requireDType(t, ['f32'], 'attentionGrad', name);
    if (formatShape(t.shape) !== expected)
      throw new RangeError(
        `attentionGrad: ${name} must have q's shape ${expected}, got ${formatShape(t.shape)}`,
      );
  }
  if (formatShape(logsumexp.shape) !== formatShape(q.shape.slice(0, 3)) || !logsumexp.isContiguous)
    throw new RangeError(
      `attentionGrad: logsumexp must be a contiguous ${formatShape(q.shape.slice(0, 3))}, got ${formatShape(logsumexp.shape)}`,
    );
  const g = unitStride(dOut);
  // D = rowsum(dO ⊙ O) equals rowsum(dP ⊙ P) (FlashAttention's identity): a sum over Dh, not Tk.
  const prod = mul(g, out);
  const rowDot = sum(prod, -1);
  prod.dispose();
  try {
    return withProblem('attentionGrad', q, k, v, options, (p) =>
      runAttentionGrad(q.device, p, { dOut: g, logsumexp, rowDot }),
    );
  } finally {
    g.dispose();
    rowDot.dispose();
  }
}

/**
 * On GPUs (the `tiled` kernel variant), score matrices up to this many bytes take the matmul route;
 * larger ones (long contexts, and single-token decode, where there is nothing to reuse) stream
 * through the fused kernel, which never materialises them.
 */
const COMPOSED_SCORES_BYTES = 64 * 2 ** 20;

/**
 * CPU adapters (the `register` variant) always take the fused kernel: it skips the masked half of
 * causal attention and keeps rows in registers, and measured 2–4× faster than the composed route
 * at [8, 8, 256, 16] on SwiftShader (packages/tensor/bench).
 */
function useComposed(q: Tensor, k: Tensor, method: AttentionOptions['method']): boolean {
  if (method) return method === 'composed';
  if (q.device.kernelVariant === 'register') return false;
  const [b, hq, tq] = q.shape as [number, number, number, number];
  return tq >= 16 && b * hq * tq * (k.shape[2] as number) * 4 <= COMPOSED_SCORES_BYTES;
}

/**
 * The attention probabilities `softmax(q·kᵀ·scale + mask)` as a contiguous [B, Hq, Tq, Tk]
 * (masked entries 0), with the same shapes and options as {@link attention}. For tests, inspection
 * and gradients; inference should use the fused {@link attention}.
 */
export function attentionWeights(q: Tensor, k: Tensor, options: AttentionOptions = {}): Tensor {
  return withProblem('attentionWeights', q, k, undefined, options, (p) =>
    useComposed(p.q, p.k, options.method)
      ? attentionProbabilities(p)
      : runAttentionWeights(q.device, p),
  );
}

/** Checks shapes and options, makes Dh unit-stride where needed, runs `kernel`, frees temporaries. */
function withProblem<R>(
  op: string,
  q: Tensor,
  k: Tensor,
  v: Tensor | undefined,
  options: AttentionOptions,
  kernel: (problem: AttentionProblem) => R,
): R {
  requireDType(q, ['f32'], op, 'q');
  requireDType(k, ['f32'], op, 'k');
  if (v) requireDType(v, ['f32'], op, 'v');
  const shapes = `q ${formatShape(q.shape)}, k ${formatShape(k.shape)}${v ? `, v ${formatShape(v.shape)}` : ''}`;
  if (q.rank !== 4 || k.rank !== 4 || (v && v.rank !== 4))
    throw new RangeError(
      `${op}: expected 4-d q [B, Hq, Tq, Dh] and k, v [B, Hkv, Tk, Dh], got ${shapes}`,
    );
  const [b, hq, tq, dh] = q.shape as [number, number, number, number];
  const [kb, hkv, tk, kdh] = k.shape as [number, number, number, number];
  if (kb !== b || kdh !== dh || v?.shape.some((d, i) => d !== k.shape[i])) {
    throw new RangeError(
      `${op}: batch and head dims must match, and v must have k's shape; got ${shapes}`,
    );
  }
  if (hkv === 0 || hq % hkv !== 0)
    throw new RangeError(
      `${op}: query heads (${hq}) must be a multiple of kv heads (${hkv}); got ${shapes}`,
    );
  const { causal = true, offset = tk - tq, scale = 1 / Math.sqrt(dh) } = options;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(
      `${op}: offset must be a non-negative integer (Tk − Tq = ${tk - tq} by default), got ${offset}; ${shapes}`,
    );
  }
  const { window } = options;
  if (window !== undefined && (!causal || !Number.isInteger(window) || window < 1)) {
    throw new RangeError(
      `${op}: window must be a positive integer and needs causal attention, got window ${window}, causal ${causal}; ${shapes}`,
    );
  }
  if (tk === 0 && tq > 0) throw new RangeError(`${op}: no keys to attend to; got ${shapes}`);
  const inputs = [unitStride(q), unitStride(k), v ? unitStride(v) : unitStride(k)] as const;
  try {
    return kernel({ q: inputs[0], k: inputs[1], v: inputs[2], causal, offset, scale, window });
  } finally {
    for (const t of inputs) t.dispose();
  }
}

/** A view of `t` when its last axis has unit stride (what the kernels need), else a dense copy. */
function unitStride(t: Tensor): Tensor {
  return t.strides[3] === 1 || t.shape[3] === 1 ? t.view(t.layout) : contiguous(t);
}
