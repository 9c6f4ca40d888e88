import { naiveRope } from '@llm-streamline/test-utils/reference';
import { beforeAll, describe, expect, it } from 'vitest';
import * as T from '../src/index.js';
import { reshape, rope, ropeInvFreq, scope, tensor } from '../src/index.js';
import { randomArray, testDevice, valuesOf } from './helpers.js';

beforeAll(async () => {
  await testDevice();
});

const TOL = { atol: 2e-6, rtol: 2e-5 };

describe.each(['half', 'interleaved'] as const)('rope (%s pairs)', (layout) => {
  it('matches the reference on batched heads, with and without an offset', async () => {
    await scope(async () => {
      const shape = [2, 3, 5, 8];
      const data = randomArray(2 * 3 * 5 * 8, 1, -2, 2);
      const inv = ropeInvFreq(8, 10000);
      const x = tensor(data, shape);
      for (const offset of [0, 7]) {
        const y = rope(x, tensor(inv), { layout, offset });
        expect(y.shape).toEqual(shape);
        expect(await T.data(y)).toBeAllclose(naiveRope([...data], shape, inv, layout, offset), TOL);
      }
    });
  });

  it('reads a [B, T, H, Dh] projection permuted to [B, H, T, Dh] without a copy', async () => {
    await scope(async () => {
      const data = randomArray(2 * 6 * 4 * 16, 2, -1, 1);
      const x = tensor(data, [2, 6, 4, 16]).permute([0, 2, 1, 3]);
      const inv = ropeInvFreq(16, 500000);
      const y = rope(x, tensor(inv), { layout, offset: 3 });
      expect(await T.data(y)).toBeAllclose(
        naiveRope(valuesOf(data, x), x.shape, inv, layout, 3),
        TOL,
      );
      // The output keeps the token-major order, so un-permuting it is free.
      expect(y.permute([0, 2, 1, 3]).isContiguous).toBe(true);
      // Also a narrowed head dim view and a narrowed invFreq view (non-zero offsets).
      const invData = new Float32Array([9, 9, ...ropeInvFreq(8, 10000)]);
      const narrow = tensor(data, [2, 6, 4, 16]).narrow(3, 4, 8);
      const z = rope(narrow, tensor(invData).narrow(0, 2, 4), { layout });
      expect(await T.data(z)).toBeAllclose(
        naiveRope(valuesOf(data, narrow), narrow.shape, invData.subarray(2), layout, 0),
        TOL,
      );
    });
  });

  it('stays accurate at long-context positions (angles up to 1e5 rad)', async () => {
    await scope(async () => {
      const data = randomArray(4 * 8, 3, -1, 1);
      const inv = ropeInvFreq(8, 10000);
      const y = rope(tensor(data, [4, 8]), tensor(inv), { layout, offset: 100_000 });
      expect(await T.data(y)).toBeAllclose(naiveRope([...data], [4, 8], inv, layout, 100_000), TOL);
    });
  });

  it('inverts with inverse: true, which rotates by −angle', async () => {
    await scope(async () => {
      const data = randomArray(3 * 7 * 6, 4, -1, 1);
      const inv = tensor(ropeInvFreq(6, 10000));
      const x = tensor(data, [3, 7, 6]);
      const back = rope(x, inv, { layout, offset: 11, inverse: true });
      expect(await T.data(back)).toBeAllclose(
        naiveRope([...data], [3, 7, 6], ropeInvFreq(6, 10000), layout, 11, -1),
        TOL,
      );
      const roundTrip = rope(rope(x, inv, { layout, offset: 11 }), inv, {
        layout,
        offset: 11,
        inverse: true,
      });
      expect(await T.data(roundTrip)).toBeAllclose(data, { atol: 1e-5, rtol: 1e-5 });
    });
  });
});

describe('rope layouts', () => {
  it('interleaved pairs are half pairs after de-interleaving the head dim', async () => {
    await scope(async () => {
      const dh = 8;
      const data = randomArray(5 * dh, 5, -1, 1);
      const inv = tensor(ropeInvFreq(dh, 10000));
      const x = tensor(data, [5, dh]);
      // [x0, x1, x2, …] → [x0, x2, x4, x6, x1, x3, x5, x7]
      const deinterleaved = reshape(reshape(x, [5, dh / 2, 2]).transpose(1, 2), [5, dh]);
      const a = await T.data(
        reshape(reshape(rope(x, inv, { layout: 'interleaved' }), [5, dh / 2, 2]).transpose(1, 2), [
          5,
          dh,
        ]),
      );
      const b = await T.data(rope(deinterleaved, inv, { layout: 'half' }));
      expect(a).toBeAllclose(b, { atol: 1e-6, rtol: 1e-6 });
    });
  });

  it('position 0 is the identity', async () => {
    await scope(async () => {
      const data = randomArray(2 * 4, 6);
      const y = await T.data(
        rope(tensor(data, [1, 2, 4]).narrow(1, 0, 1), tensor(ropeInvFreq(4, 10000)), {
          layout: 'half',
        }),
      );
      expect(y).toBeAllclose(data.subarray(0, 4), { atol: 0, rtol: 0 });
    });
  });

  it('rejects mismatched shapes with a clear message', async () => {
    await scope(async () => {
      const inv = tensor(ropeInvFreq(4, 10000));
      expect(() => rope(tensor(randomArray(6, 1), [2, 3]), inv, { layout: 'half' })).toThrow(
        /Dh even/,
      );
      expect(() => rope(tensor(randomArray(12, 1), [2, 6]), inv, { layout: 'half' })).toThrow(
        /invFreq \[2\] must be \[Dh\/2\] = \[3\] for x \[2, 6\]/,
      );
      expect(() =>
        rope(tensor(randomArray(8, 1), [2, 4]), inv, { layout: 'half', offset: -1 }),
      ).toThrow(/offset/);
    });
  });
});

/** Llama 3's rope scaling written out in float64 (HF `_compute_llama3_parameters`). */
function llama3Reference(
  dim: number,
  theta: number,
  factor: number,
  low: number,
  high: number,
  old: number,
): number[] {
  return Array.from({ length: dim / 2 }, (_, i) => {
    const freq = 1 / theta ** ((2 * i) / dim);
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < old / high) return freq;
    if (wavelen > old / low) return freq / factor;
    const smooth = (old / wavelen - low) / (high - low);
    return ((1 - smooth) * freq) / factor + smooth * freq;
  });
}

describe('ropeInvFreq', () => {
  it('is θ^(−2i/Dh) rounded to f32', () => {
    const inv = ropeInvFreq(64, 10000);
    expect(inv.length).toBe(32);
    expect(inv[0]).toBe(1);
    expect(inv).toBeAllclose(
      Array.from({ length: 32 }, (_, i) => 10000 ** (-(2 * i) / 64)),
      { atol: 0, rtol: 2e-7 },
    );
  });

  it('applies Llama 3.1 scaling (factor 8, 1, 4, 8192) as HF does', () => {
    const scaling = {
      factor: 8,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 8192,
    };
    const inv = ropeInvFreq(128, 500000, scaling);
    const plain = ropeInvFreq(128, 500000);
    expect(inv).toBeAllclose(llama3Reference(128, 500000, 8, 1, 4, 8192), { atol: 0, rtol: 1e-6 });
    // High frequencies untouched, lowest divided by the factor, the middle band in between.
    expect(inv[0]).toBe(plain[0]);
    expect(inv[63]).toBe(Math.fround((plain[63] as number) / 8));
    const medium = [...inv.keys()].filter(
      (i) =>
        (inv[i] as number) < (plain[i] as number) && (inv[i] as number) > (plain[i] as number) / 8,
    );
    expect(medium.length).toBeGreaterThan(0);
  });
});
