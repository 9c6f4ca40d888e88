import { naiveAttention } from '@llm-streamline/test-utils/reference';
import { beforeAll, describe, expect, it } from 'vitest';
import * as T from '../src/index.js';
import {
  attention,
  attentionGrad,
  attentionWithLogsumexp,
  reshape,
  scope,
  tensor,
} from '../src/index.js';
import { type AttentionCase, randomArray, testDevice, valuesOf } from './helpers.js';

beforeAll(async () => {
  await testDevice();
});

type Case = AttentionCase;

/**
 * Attention's backward in float64, written out loop by loop over dense [B, H, T, Dh] arrays, on
 * the naive forward P = softmax(scale·q·kᵀ + mask), O = P·v: for the output gradient g,
 * dv = Pᵀ·g, dP = g·vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dq = scale·dS·k, dk = scale·dSᵀ·q.
 */
function reference(q: number[], k: number[], v: number[], g: number[], c: Case) {
  const { b, hq, hkv, tq, tk, dh, scale = 1 / Math.sqrt(dh) } = c;
  const { probs, out, lse } = naiveAttention(q, k, v, c);
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  const at = (x: ArrayLike<number>, o: number) => x[o] as number;
  for (let bi = 0; bi < b; bi++) {
    for (let h = 0; h < hq; h++) {
      const kh = Math.floor(h / (hq / hkv));
      for (let t = 0; t < tq; t++) {
        const qo = ((bi * hq + h) * tq + t) * dh;
        const ko = (j: number) => ((bi * hkv + kh) * tk + j) * dh;
        // Masked keys have P = 0, so they add nothing below.
        const p = probs.subarray(((bi * hq + h) * tq + t) * tk, ((bi * hq + h) * tq + t + 1) * tk);
        const dp = Array.from(p, (_, j) => {
          let x = 0;
          for (let d = 0; d < dh; d++) x += at(g, qo + d) * at(v, ko(j) + d);
          return x;
        });
        const rowDot = p.reduce((a, pj, j) => a + pj * (dp[j] as number), 0);
        p.forEach((pj, j) => {
          const ds = pj * ((dp[j] as number) - rowDot);
          for (let d = 0; d < dh; d++) {
            dv[ko(j) + d] = (dv[ko(j) + d] as number) + pj * at(g, qo + d);
            dq[qo + d] = (dq[qo + d] as number) + scale * ds * at(k, ko(j) + d);
            dk[ko(j) + d] = (dk[ko(j) + d] as number) + scale * ds * at(q, qo + d);
          }
        });
      }
    }
  }
  return { out, lse, dq, dk, dv };
}

const TOL = { atol: 1e-5, rtol: 1e-4 };

async function check(c: Case, seed: number): Promise<void> {
  const q = [...randomArray(c.b * c.hq * c.tq * c.dh, seed)];
  const k = [...randomArray(c.b * c.hkv * c.tk * c.dh, seed + 1)];
  const v = [...randomArray(c.b * c.hkv * c.tk * c.dh, seed + 2)];
  const g = [...randomArray(c.b * c.hq * c.tq * c.dh, seed + 3)];
  const opts = { causal: c.causal, offset: c.offset, scale: c.scale, window: c.window };
  const [qt, kt, vt, gt] = [
    tensor(q, [c.b, c.hq, c.tq, c.dh]),
    tensor(k, [c.b, c.hkv, c.tk, c.dh]),
    tensor(v, [c.b, c.hkv, c.tk, c.dh]),
    tensor(g, [c.b, c.hq, c.tq, c.dh]),
  ];
  const ref = reference(q, k, v, g, c);
  const { out, logsumexp } = attentionWithLogsumexp(qt, kt, vt, opts);
  expect(await T.data(out)).toBeAllclose(ref.out, { atol: 2e-6, rtol: 1e-5 });
  expect(await T.data(logsumexp)).toBeAllclose(ref.lse, { atol: 2e-6, rtol: 1e-5 });
  const grads = attentionGrad(qt, kt, vt, out, logsumexp, gt, opts);
  expect(grads.dq.shape).toEqual(qt.shape);
  expect(grads.dk.shape).toEqual(kt.shape);
  expect(grads.dv.shape).toEqual(vt.shape);
  expect(await T.data(grads.dq)).toBeAllclose(ref.dq, TOL);
  expect(await T.data(grads.dk)).toBeAllclose(ref.dk, TOL);
  expect(await T.data(grads.dv)).toBeAllclose(ref.dv, TOL);
}

describe('attentionGrad', () => {
  it('grouped-query causal self-attention with ragged row and key blocks', async () => {
    // 4 query rows and 4 keys per invocation, 2 keys per step: counts that are multiples of none.
    await scope(async () => {
      await check({ b: 2, hq: 4, hkv: 2, tq: 13, tk: 13, dh: 16 }, 1);
      await check({ b: 1, hq: 2, hkv: 1, tq: 7, tk: 7, dh: 8 }, 2);
    });
  });

  it('an offset, non-causal with a custom scale, and queries past the keys', async () => {
    await scope(async () => {
      await check({ b: 1, hq: 4, hkv: 2, tq: 5, tk: 11, dh: 16, offset: 3 }, 3);
      await check({ b: 1, hq: 2, hkv: 1, tq: 6, tk: 9, dh: 16 }, 4);
      await check({ b: 2, hq: 2, hkv: 2, tq: 5, tk: 6, dh: 4, causal: false, scale: 0.7 }, 5);
      await check({ b: 1, hq: 2, hkv: 2, tq: 3, tk: 2, dh: 4, offset: 4 }, 6);
    });
  });

  it('a sliding window, with ragged row and key blocks and an offset', async () => {
    await scope(async () => {
      await check({ b: 1, hq: 4, hkv: 2, tq: 13, tk: 13, dh: 16, window: 4 }, 31);
      await check({ b: 1, hq: 2, hkv: 1, tq: 5, tk: 11, dh: 8, offset: 3, window: 6 }, 32);
      await check({ b: 2, hq: 2, hkv: 2, tq: 7, tk: 7, dh: 4, window: 1 }, 33);
    });
  });

  it('head dims that are not multiples of 4', async () => {
    await scope(async () => {
      await check({ b: 1, hq: 2, hkv: 1, tq: 5, tk: 5, dh: 6 }, 7);
      await check({ b: 1, hq: 3, hkv: 3, tq: 3, tk: 4, dh: 5 }, 8);
    });
  });

  it('reads permuted q, k, v and output gradient views', async () => {
    await scope(async () => {
      const [b, hq, hkv, t, dh] = [2, 4, 2, 6, 8];
      const data = (n: number, seed: number) => randomArray(n, seed);
      const [qd, kd, vd, gd] = [
        data(b * t * hq * dh, 21),
        data(b * t * hkv * dh, 22),
        data(b * t * hkv * dh, 23),
        data(b * t * hq * dh, 24),
      ];
      // [B, T, H, Dh] storage viewed as [B, H, T, Dh], as a model's projections are.
      const view = (d: Float32Array, h: number) => tensor(d, [b, t, h, dh]).permute([0, 2, 1, 3]);
      const [q, k, v, g] = [view(qd, hq), view(kd, hkv), view(vd, hkv), view(gd, hq)];
      const ref = reference(valuesOf(qd, q), valuesOf(kd, k), valuesOf(vd, v), valuesOf(gd, g), {
        b,
        hq,
        hkv,
        tq: t,
        tk: t,
        dh,
      });
      const { out, logsumexp } = attentionWithLogsumexp(q, k, v);
      expect(await T.data(out)).toBeAllclose(
        (await T.data(attention(q, k, v))) as Float32Array,
        TOL,
      );
      // Token-major in, token-major out: merging the heads back is a view, not a copy.
      expect(out.permute([0, 2, 1, 3]).isContiguous).toBe(true);
      const grads = attentionGrad(q, k, v, out, logsumexp, g);
      for (const d of [grads.dq, grads.dk, grads.dv])
        expect(d.permute([0, 2, 1, 3]).isContiguous).toBe(true);
      expect(await T.data(grads.dq)).toBeAllclose(ref.dq, TOL);
      expect(await T.data(grads.dk)).toBeAllclose(ref.dk, TOL);
      expect(await T.data(grads.dv)).toBeAllclose(ref.dv, TOL);
    });
  });

  it('names what is wrong with its inputs', async () => {
    await scope(async () => {
      const q = tensor(randomArray(2 * 3 * 4, 1), [1, 2, 3, 4]);
      const { out, logsumexp } = attentionWithLogsumexp(q, q, q);
      expect(() => attentionGrad(q, q, q, out, logsumexp, reshape(q, [2, 3, 4]))).toThrow(
        /attentionGrad: dOut must have q's shape \[1, 2, 3, 4\], got \[2, 3, 4\]/,
      );
      expect(() => attentionGrad(q, q, q, out, out, q)).toThrow(
        /attentionGrad: logsumexp must be a contiguous \[1, 2, 3\]/,
      );
    });
  });
});
