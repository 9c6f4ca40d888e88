import { type AttentionCase, naiveAttention } from '@llm-streamline/test-utils/reference';
import { beforeAll, describe, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { testDevice } from './helpers.js';

type Case = AttentionCase;

/** Checks both backward routes: fused (log-sum-exp + streaming kernels) and composed (matmuls). */
async function check(c: Case, label: string, frozen: { k?: boolean; v?: boolean } = {}) {
  const { b, hq, hkv, tq, tk, dh } = c;
  for (const method of ['fused', 'composed'] as const) {
    await gradcheck(
      ([q, k, v]) =>
        A.attention(q as A.Variable, k as A.Variable, v as A.Variable, {
          causal: c.causal,
          offset: c.offset,
          scale: c.scale,
          window: c.window,
          method,
        }),
      ([q, k, v]) => naiveAttention(q as Float64Array, k as Float64Array, v as Float64Array, c).out,
      [
        { shape: [b, hq, tq, dh] },
        { shape: [b, hkv, tk, dh], requiresGrad: !frozen.k },
        { shape: [b, hkv, tk, dh], requiresGrad: !frozen.v },
      ],
      { label: `${label} (${method})` },
    );
  }
}

describe('attention gradients', () => {
  beforeAll(testDevice);

  it('blocks of rows and keys with ragged ends (fused kernels take 4 rows and 4 keys at a time)', () =>
    check({ b: 1, hq: 2, hkv: 1, tq: 6, tk: 6, dh: 4 }, 'ragged blocks'));

  it('multi-head causal self-attention', () =>
    check({ b: 2, hq: 2, hkv: 2, tq: 4, tk: 4, dh: 4 }, 'mha causal'));
  it('grouped-query (4 query heads on 2 kv heads), causal', () =>
    check({ b: 1, hq: 4, hkv: 2, tq: 3, tk: 3, dh: 4 }, 'gqa'));
  it('causal with an offset (queries are the last rows of a longer key sequence)', () =>
    check({ b: 1, hq: 2, hkv: 1, tq: 2, tk: 5, dh: 4, offset: 2 }, 'offset'));
  it('a sliding window of 2 over 5 keys, with an offset', () =>
    check({ b: 1, hq: 2, hkv: 1, tq: 3, tk: 5, dh: 4, window: 2 }, 'window'));
  it('non-causal with a custom scale', () =>
    check({ b: 1, hq: 2, hkv: 1, tq: 3, tk: 4, dh: 2, causal: false, scale: 0.7 }, 'non-causal'));
  // The fused backward computes dq, dk and dv together: those of frozen inputs must be freed.
  it('frozen keys and values (only q requires a gradient), with no memory left behind', () =>
    check({ b: 1, hq: 4, hkv: 2, tq: 5, tk: 5, dh: 4 }, 'frozen k, v', { k: true, v: true }));
});
