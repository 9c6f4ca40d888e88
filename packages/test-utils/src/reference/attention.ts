/**
 * Attention's naive twin in float64, shared by the tests of the tensor kernel and of its autograd
 * gradient (which differentiates it numerically), so both check against the same definition.
 */

/** An attention problem: q [b, hq, tq, dh], k and v [b, hkv, tk, dh], and the op's options. */
export interface AttentionCase {
  b: number;
  hq: number;
  hkv: number;
  tq: number;
  tk: number;
  dh: number;
  /** Default true. */
  causal?: boolean;
  /** Position of the first query among the keys; default tk − tq. */
  offset?: number;
  /** Default 1/√dh. */
  scale?: number;
  /** Sliding window (causal only): query position t sees keys t − window < j ≤ t. */
  window?: number;
}

/**
 * softmax(q·kᵀ·scale + mask)·v over dense [B, H, T, Dh] arrays: query head h reads kv head
 * ⌊h / (Hq/Hkv)⌋; query row t sees keys 0..offset+t when causal (only the last `window` of them with a window). Returns the probabilities
 * [B, Hq, Tq, Tk] (zero where masked), the output [B, Hq, Tq, Dh] and each row's log-sum-exp of
 * the scores [B, Hq, Tq] (what the fused forward keeps for its backward).
 */
export function naiveAttention(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  c: AttentionCase,
): { probs: Float64Array; out: Float64Array; lse: Float64Array } {
  const { b, hq, hkv, tq, tk, dh, causal = true, offset = tk - tq, scale = 1 / Math.sqrt(dh) } = c;
  const { window = Number.POSITIVE_INFINITY } = c;
  const probs = new Float64Array(b * hq * tq * tk);
  const out = new Float64Array(b * hq * tq * dh);
  const lse = new Float64Array(b * hq * tq);
  for (let bi = 0; bi < b; bi++) {
    for (let h = 0; h < hq; h++) {
      const kh = Math.floor(h / (hq / hkv));
      for (let t = 0; t < tq; t++) {
        const qo = ((bi * hq + h) * tq + t) * dh;
        const visible = causal ? Math.min(tk, offset + t + 1) : tk;
        const first = causal ? Math.max(0, offset + t + 1 - window) : 0;
        const scores: number[] = [];
        for (let j = first; j < visible; j++) {
          const ko = ((bi * hkv + kh) * tk + j) * dh;
          let s = 0;
          for (let d = 0; d < dh; d++) s += (q[qo + d] as number) * (k[ko + d] as number);
          scores.push(s * scale);
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const sum = e.reduce((a, x) => a + x, 0);
        lse[(bi * hq + h) * tq + t] = m + Math.log(sum);
        const row = ((bi * hq + h) * tq + t) * tk;
        e.forEach((x, i) => {
          const j = first + i;
          probs[row + j] = x / sum;
          const vo = ((bi * hkv + kh) * tk + j) * dh;
          for (let d = 0; d < dh; d++)
            out[qo + d] = (out[qo + d] as number) + (x / sum) * (v[vo + d] as number);
        });
      }
    }
  }
  return { probs, out, lse };
}
