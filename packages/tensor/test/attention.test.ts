import { naiveAttention } from '@llm-streamline/test-utils/reference';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  attention,
  attentionWeights,
  contiguous,
  data,
  reshape,
  scope,
  tensor,
} from '../src/index.js';
import { type AttentionCase, randomArray, testDevice, valuesOf } from './helpers.js';

beforeAll(async () => {
  await testDevice();
});

type Case = AttentionCase;

const TOL = { atol: 2e-6, rtol: 1e-5 };

async function check(c: Case, seed: number, lo = -1, hi = 1): Promise<void> {
  const q = randomArray(c.b * c.hq * c.tq * c.dh, seed, lo, hi);
  const k = randomArray(c.b * c.hkv * c.tk * c.dh, seed + 1, lo, hi);
  const v = randomArray(c.b * c.hkv * c.tk * c.dh, seed + 2);
  const opts = { causal: c.causal, offset: c.offset, scale: c.scale, window: c.window };
  const qt = tensor(q, [c.b, c.hq, c.tq, c.dh]);
  const kt = tensor(k, [c.b, c.hkv, c.tk, c.dh]);
  const vt = tensor(v, [c.b, c.hkv, c.tk, c.dh]);
  const ref = naiveAttention(q, k, v, c);
  // Both implementations: the fused streaming kernel and matmul + masked softmax + matmul.
  for (const method of ['fused', 'composed'] as const) {
    const y = attention(qt, kt, vt, { ...opts, method });
    expect(y.shape).toEqual([c.b, c.hq, c.tq, c.dh]);
    expect(await data(y)).toBeAllclose(ref.out, TOL);
    const p = attentionWeights(qt, kt, { ...opts, method });
    expect(p.shape).toEqual([c.b, c.hq, c.tq, c.tk]);
    expect(await data(p)).toBeAllclose(ref.probs, TOL);
  }
}

describe('attention', () => {
  it('grouped-query attention (Hq 8, Hkv 4) over a full causal prompt', async () => {
    await scope(() => check({ b: 2, hq: 8, hkv: 4, tq: 5, tk: 5, dh: 16 }, 1));
  });

  it('multi-query attention (Hkv 1) with fewer queries than keys (KV-cache offset)', async () => {
    await scope(async () => {
      await check({ b: 1, hq: 8, hkv: 1, tq: 3, tk: 7, dh: 8 }, 2);
      await check({ b: 1, hq: 8, hkv: 1, tq: 1, tk: 9, dh: 8 }, 3);
    });
  });

  it('explicit offset, non-causal and a custom scale', async () => {
    await scope(async () => {
      await check({ b: 1, hq: 8, hkv: 4, tq: 3, tk: 8, dh: 4, offset: 2 }, 4);
      await check({ b: 2, hq: 4, hkv: 4, tq: 3, tk: 6, dh: 4, causal: false, scale: 0.3 }, 5);
      // offset past the keys: every row sees all keys.
      await check({ b: 1, hq: 2, hkv: 2, tq: 2, tk: 3, dh: 4, offset: 5 }, 6);
    });
  });

  it('head dims that are not multiples of 4 and a 128-wide head', async () => {
    await scope(async () => {
      await check({ b: 1, hq: 4, hkv: 2, tq: 3, tk: 4, dh: 6 }, 7);
      await check({ b: 1, hq: 3, hkv: 1, tq: 2, tk: 3, dh: 5 }, 8);
      await check({ b: 1, hq: 2, hkv: 1, tq: 2, tk: 4, dh: 128 }, 9);
    });
  });

  it('blocks of query rows and chunks of keys with ragged ends', async () => {
    // The fused kernel takes 4 rows (2 for Dh 32) per invocation and 4 keys per step: row and key
    // counts that are not multiples of either, with and without the causal mask and an offset.
    await scope(async () => {
      await check({ b: 2, hq: 4, hkv: 2, tq: 13, tk: 13, dh: 16 }, 11);
      await check({ b: 1, hq: 2, hkv: 1, tq: 37, tk: 41, dh: 16 }, 12);
      await check({ b: 1, hq: 2, hkv: 2, tq: 6, tk: 11, dh: 16, causal: false }, 13);
      await check({ b: 1, hq: 2, hkv: 1, tq: 7, tk: 9, dh: 32, offset: 1 }, 14);
    });
  });

  it('a sliding window: ragged blocks, an offset, a window of 1 and one longer than the keys', async () => {
    await scope(async () => {
      await check({ b: 1, hq: 4, hkv: 2, tq: 13, tk: 13, dh: 16, window: 4 }, 21);
      await check({ b: 2, hq: 2, hkv: 1, tq: 5, tk: 11, dh: 8, window: 3 }, 22);
      await check({ b: 1, hq: 2, hkv: 2, tq: 7, tk: 9, dh: 6, offset: 1, window: 5 }, 23);
      await check({ b: 1, hq: 2, hkv: 1, tq: 6, tk: 6, dh: 4, window: 1 }, 24);
      await check({ b: 1, hq: 2, hkv: 1, tq: 6, tk: 6, dh: 4, window: 50 }, 25);
      // decode: one query at the end of a long cache
      await check({ b: 1, hq: 4, hkv: 2, tq: 1, tk: 19, dh: 16, window: 6 }, 26);
    });
  });

  it('is stable for large scores', async () => {
    await scope(() => check({ b: 1, hq: 2, hkv: 1, tq: 4, tk: 6, dh: 8, scale: 1 }, 10, -12, 12));
  });

  it('reads a narrowed KV cache, a permuted q and a transposed-dh k', async () => {
    await scope(async () => {
      const [b, hq, hkv, tq, tk, tmax, dh] = [1, 4, 2, 2, 5, 9, 8];
      const qData = randomArray(b * tq * hq * dh, 11);
      const cacheK = randomArray(b * hkv * tmax * dh, 12);
      const cacheV = randomArray(b * hkv * tmax * dh, 13);
      const q = tensor(qData, [b, tq, hq, dh]).permute([0, 2, 1, 3]);
      const k = tensor(cacheK, [b, hkv, tmax, dh]).narrow(2, 0, tk);
      const v = tensor(cacheV, [b, hkv, tmax, dh]).narrow(2, 0, tk);
      const ref = naiveAttention(valuesOf(qData, q), valuesOf(cacheK, k), valuesOf(cacheV, v), {
        b,
        hq,
        hkv,
        tq,
        tk,
        dh,
      });
      expect(await data(attention(q, k, v))).toBeAllclose(ref.out, TOL);
      // k stored [.., Dh, T] and transposed: Dh is not unit-stride, so it is copied first.
      const kT = contiguous(tensor(valuesOf(cacheK, k), [b, hkv, tk, dh]).transpose()).transpose();
      expect(await data(attention(q, kT, v))).toBeAllclose(ref.out, TOL);
      expect(await data(attentionWeights(q, kT))).toBeAllclose(ref.probs, TOL);
    });
  });

  it('gives probabilities that sum to 1 with zeros where masked', async () => {
    await scope(async () => {
      const p = await data(
        attentionWeights(
          tensor(randomArray(3 * 4, 14), [1, 1, 3, 4]),
          tensor(randomArray(5 * 4, 15), [1, 1, 5, 4]),
          { offset: 0 },
        ),
      );
      for (let t = 0; t < 3; t++) {
        const row = p.subarray(t * 5, t * 5 + 5);
        expect(Array.from(row).reduce((a, x) => a + x, 0)).toBeCloseTo(1, 5);
        expect([...row.subarray(t + 1)].every((x) => x === 0)).toBe(true);
      }
    });
  });

  it('names the shapes in errors', async () => {
    await scope(async () => {
      const q = tensor(randomArray(6 * 4, 1), [1, 6, 1, 4]);
      const k = tensor(randomArray(4 * 4, 2), [1, 4, 1, 4]);
      expect(() => attention(q, k, k)).toThrow(
        /query heads \(6\) must be a multiple of kv heads \(4\); got q \[1, 6, 1, 4\], k \[1, 4, 1, 4\]/,
      );
      expect(() => attention(reshape(q, [6, 1, 4]), k, k)).toThrow(/expected 4-d q/);
      const k2 = tensor(randomArray(2 * 4, 2), [1, 2, 1, 4]);
      expect(() => attention(q, k2, k2, { offset: -1 })).toThrow(
        /offset must be a non-negative integer/,
      );
    });
  });
});
