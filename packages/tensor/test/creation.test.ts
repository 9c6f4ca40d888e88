import { beforeAll, describe, expect, it } from 'vitest';
import {
  arange,
  type Device,
  data,
  full,
  item,
  ones,
  randNormal,
  randUniform,
  scope,
  Tensor,
  tensor,
  zeros,
} from '../src/index.js';
import { testDevice } from './helpers.js';

let device: Device;
beforeAll(async () => {
  device = await testDevice();
});

describe('full / zeros / ones / tensor', () => {
  it('fills every dtype', async () => {
    await scope(async () => {
      expect(await data(full([2, 3], 1.25))).toEqual(new Float32Array(6).fill(1.25));
      const i = full([3], -7, 'i32');
      expect(i.dtype).toBe('i32');
      expect(await data(i)).toEqual(new Int32Array([-7, -7, -7]));
      expect(await data(full([2], 4000000000, 'u32'))).toEqual(
        new Uint32Array([4000000000, 4000000000]),
      );
      expect(await data(zeros([2, 2]))).toEqual(new Float32Array(4));
      expect(await data(ones([1], 'i32'))).toEqual(new Int32Array([1]));
      expect(full([0, 3], 1).shape).toEqual([0, 3]);
      expect(await item(full([], 3))).toBe(3);
      expect(() => tensor([1, 2, 3], [2, 2])).toThrow(
        /3 values do not fill shape \[2, 2\] \(4 elements\)/,
      );
    });
  });
});

describe('arange', () => {
  it('matches numpy.arange for floats and ints', async () => {
    await scope(async () => {
      expect(await data(arange(5))).toEqual(new Float32Array([0, 1, 2, 3, 4]));
      expect(await data(arange(2, 8, 2))).toEqual(new Float32Array([2, 4, 6]));
      expect(await data(arange(5, 0, -1.5))).toEqual(new Float32Array([5, 3.5, 2, 0.5]));
      expect(arange(3, 3).shape).toEqual([0]);
      const ints = arange(-3, 4, 2, 'i32');
      expect(ints.dtype).toBe('i32');
      expect(await data(ints)).toEqual(new Int32Array([-3, -1, 1, 3]));
      expect(await data(arange(0, 3, 1, 'u32'))).toEqual(new Uint32Array([0, 1, 2]));
      expect(() => arange(0, 1, 0)).toThrow(/step must not be 0/);
    });
  });
});

function stats(x: Float32Array): { mean: number; variance: number; min: number; max: number } {
  let s = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    s += v;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const mean = s / x.length;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  return { mean, variance: ss / x.length, min: lo, max: hi };
}

describe('random', () => {
  const n = 1 << 16;

  it('uniform values cover [low, high) with the right moments', async () => {
    await scope(async () => {
      const x = (await data(randUniform([n], -2, 6, { seed: 1 }))) as Float32Array;
      const s = stats(x);
      // Standard error of the mean: sqrt(64/12 / n) ≈ 0.009; allow 5σ.
      expect(Math.abs(s.mean - 2)).toBeLessThan(0.05);
      expect(Math.abs(s.variance - 64 / 12)).toBeLessThan(0.1);
      expect(s.min).toBeGreaterThanOrEqual(-2);
      expect(s.max).toBeLessThan(6);
      // Each eighth of the range holds about 1/8 of the values.
      const bins = new Array<number>(8).fill(0);
      for (const v of x) bins[Math.min(7, Math.floor(v + 2))]++;
      for (const b of bins) expect(Math.abs(b / n - 1 / 8)).toBeLessThan(0.01);
    });
  });

  it('normal values have the requested mean, std and bell shape', async () => {
    await scope(async () => {
      const x = (await data(randNormal([n], 3, 0.5, { seed: 2 }))) as Float32Array;
      const s = stats(x);
      expect(Math.abs(s.mean - 3)).toBeLessThan(0.01);
      expect(Math.abs(Math.sqrt(s.variance) - 0.5)).toBeLessThan(0.01);
      const within1 = x.filter((v) => Math.abs(v - 3) < 0.5).length / n;
      const within2 = x.filter((v) => Math.abs(v - 3) < 1).length / n;
      expect(Math.abs(within1 - 0.6827)).toBeLessThan(0.01);
      expect(Math.abs(within2 - 0.9545)).toBeLessThan(0.01);
      expect(x.every(Number.isFinite)).toBe(true);
    });
  });

  it('is reproducible from the seed and differs between seeds', async () => {
    await scope(async () => {
      const a = await data(randNormal([1000], 0, 1, { seed: 42 }));
      const b = await data(randNormal([1000], 0, 1, { seed: 42 }));
      const c = await data(randNormal([1000], 0, 1, { seed: 43 }));
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
      // Element i depends only on (seed, i): a longer draw starts with the shorter one.
      const longer = await data(randUniform([2000], 0, 1, { seed: 7 }));
      const shorter = await data(randUniform([1000], 0, 1, { seed: 7 }));
      expect(longer.subarray(0, 1000)).toEqual(shorter);
    });
  });
});

/** Little-endian bytes of 16-bit words. */
function bytesOf(words: readonly number[]): Uint8Array {
  return new Uint8Array(Uint16Array.from(words).buffer);
}

describe('Tensor.fromBytes', () => {
  it('widens f16 to f32: normals, subnormals, signs, infinities', async () => {
    await scope(async () => {
      const words = [0x3c00, 0x3e00, 0xc000, 0x7bff, 0x0001, 0x8400, 0x7c00, 0x0000, 0x3555];
      const expected = [1, 1.5, -2, 65504, 2 ** -24, -(2 ** -14), Infinity, 0, 0.333251953125];
      const t = Tensor.fromBytes(bytesOf(words), 'f16', [3, 3], { device });
      expect(t.dtype).toBe('f32');
      expect(t.shape).toEqual([3, 3]);
      expect([...(await data(t))]).toEqual(expected);
    });
  });

  it('widens bf16 to f32 (odd element counts included)', async () => {
    await scope(async () => {
      const values = [1, -3.5, 0.15625, 3e38, -1e-30, 0, 7];
      const words = values
        .map((v) => new Uint32Array(new Float32Array([v]).buffer)[0] as number)
        .map((bits) => bits >>> 16);
      const expected = words.map(
        (w) => new Float32Array(new Uint32Array([w << 16]).buffer)[0] as number,
      );
      const t = Tensor.fromBytes(bytesOf(words), 'bf16', [7], { device });
      expect([...(await data(t))]).toEqual(expected);
      expect(expected.slice(0, 3)).toEqual([1, -3.5, 0.15625]);
    });
  });

  it('keeps f32 and integer bytes as they are and checks the byte length', async () => {
    await scope(async () => {
      const f = new Float32Array([1.5, -2]);
      expect(
        await data(Tensor.fromBytes(new Uint8Array(f.buffer), 'f32', [2], { device })),
      ).toEqual(f);
      const i = new Int32Array([-1, 2, 3]);
      expect(
        await data(Tensor.fromBytes(new Uint8Array(i.buffer), 'i32', [3], { device })),
      ).toEqual(i);
      expect(() => Tensor.fromBytes(new Uint8Array(6), 'f16', [2, 2], { device })).toThrow(
        /6 bytes given for f16 shape \[2, 2\], expected 8/,
      );
    });
  });
});
