import { beforeAll, describe, expect, it } from 'vitest';
import { crossEntropy, type Device, data, item, oneHot, scope, tensor } from '../src/index.js';
import { randomArray, restoreKernelVariantAfterEach, rng, testDevice } from './helpers.js';

let device: Device;
beforeAll(async () => {
  device = await testDevice();
});
restoreKernelVariantAfterEach();

/** Per-row −log softmax(logits)[target] in float64; NaN for ignored rows (left out by callers). */
function rowLosses(
  logits: ArrayLike<number>,
  n: number,
  v: number,
  targets: ArrayLike<number>,
): number[] {
  return Array.from({ length: n }, (_, r) => {
    let m = -Infinity;
    for (let j = 0; j < v; j++) m = Math.max(m, logits[r * v + j] as number);
    let s = 0;
    for (let j = 0; j < v; j++) s += Math.exp((logits[r * v + j] as number) - m);
    return m + Math.log(s) - (logits[r * v + (targets[r] as number)] as number);
  });
}

function randomTargets(n: number, v: number, seed: number): Int32Array {
  const next = rng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(next() * v));
}

describe.each(['register', 'tiled'] as const)('crossEntropy (%s kernels)', (variant) => {
  it('mean, sum and none reductions', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const [n, v] = [6, 13];
      const logits = randomArray(n * v, 1, -4, 4);
      const targets = randomTargets(n, v, 2);
      const ref = rowLosses(logits, n, v, targets);
      const x = tensor(logits, [n, v]);
      const t = tensor(targets);
      const mean = crossEntropy(x, t);
      expect(mean.shape).toEqual([]);
      expect(await data(mean)).toBeAllclose([ref.reduce((a, b) => a + b) / n], {
        atol: 1e-6,
        rtol: 1e-5,
      });
      expect(await data(crossEntropy(x, t, { reduction: 'sum' }))).toBeAllclose(
        [ref.reduce((a, b) => a + b)],
        { atol: 1e-5, rtol: 1e-5 },
      );
      expect(await data(crossEntropy(x, t, { reduction: 'none' }))).toBeAllclose(ref, {
        atol: 1e-6,
        rtol: 1e-5,
      });
      // u32 targets and transposed logits.
      const xT = tensor(
        Float32Array.from(
          { length: n * v },
          (_, i) => logits[(i % n) * v + Math.floor(i / n)] as number,
        ),
        [v, n],
      ).transpose();
      expect(
        await data(crossEntropy(xT, tensor(Uint32Array.from(targets)), { reduction: 'none' })),
      ).toBeAllclose(ref, { atol: 1e-6, rtol: 1e-5 });
    });
  });

  it('leaves ignored targets out of the mean', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const [n, v] = [5, 7];
      const logits = randomArray(n * v, 3, -2, 2);
      const targets = new Int32Array([1, -100, 6, 0, -100]);
      const ref = rowLosses(logits, n, v, targets);
      const kept = [0, 2, 3].map((i) => ref[i] as number);
      const x = tensor(logits, [n, v]);
      expect(await data(crossEntropy(x, tensor(targets)))).toBeAllclose(
        [kept.reduce((a, b) => a + b) / 3],
        { atol: 1e-6, rtol: 1e-5 },
      );
      expect(await data(crossEntropy(x, tensor(targets), { reduction: 'none' }))).toBeAllclose(
        ref.map((l, i) => (targets[i] === -100 ? 0 : l)),
        { atol: 1e-6, rtol: 1e-5 },
      );
      const custom = new Int32Array([1, 3, 6, 3, 2]);
      const refCustom = rowLosses(logits, n, v, custom);
      const keptCustom = [0, 2, 4].map((i) => refCustom[i] as number);
      expect(await data(crossEntropy(x, tensor(custom), { ignoreIndex: 3 }))).toBeAllclose(
        [keptCustom.reduce((a, b) => a + b) / 3],
        { atol: 1e-6, rtol: 1e-5 },
      );
      expect(Number.isNaN(await item(crossEntropy(x, tensor(new Int32Array(5).fill(-100)))))).toBe(
        true,
      );
    });
  });

  it('is stable for logits around 1e4', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const [n, v] = [4, 9];
      const logits = randomArray(n * v, 4, 1e4 - 30, 1e4 + 30);
      const targets = randomTargets(n, v, 5);
      const got = await data(
        crossEntropy(tensor(logits, [n, v]), tensor(targets), {
          reduction: 'none',
        }),
      );
      expect(got).toBeAllclose(rowLosses(logits, n, v, targets), { atol: 2e-5, rtol: 1e-5 });
      const sharp = await item(
        crossEntropy(tensor([1e4, 0, -1e4], [1, 3]), tensor(new Int32Array([1]))),
      );
      expect(sharp).toBeCloseTo(1e4, 2);
    });
  });

  it('handles long rows (workgroup-per-row path on CPU adapters too)', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const [n, v] = [3, 5000];
      const logits = randomArray(n * v, 6, -6, 6);
      const targets = randomTargets(n, v, 7);
      const got = await data(
        crossEntropy(tensor(logits, [n, v]), tensor(targets), {
          reduction: 'none',
        }),
      );
      expect(got).toBeAllclose(rowLosses(logits, n, v, targets), { atol: 1e-5, rtol: 1e-5 });
    });
  });

  it('gives NaN (no out-of-bounds read) for targets outside the vocabulary', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const got = await data(
        crossEntropy(tensor(randomArray(3 * 4, 8), [3, 4]), tensor(new Int32Array([4, -1, 2])), {
          reduction: 'none',
        }),
      );
      expect(Number.isNaN(got[0])).toBe(true);
      expect(Number.isNaN(got[1])).toBe(true);
      expect(Number.isFinite(got[2])).toBe(true);
    });
  });
});

describe('crossEntropy errors', () => {
  it('names the shapes', async () => {
    await scope(async () => {
      expect(() =>
        crossEntropy(tensor(randomArray(6, 1), [2, 3]), tensor(new Int32Array([0, 1, 2]))),
      ).toThrow(
        /expected logits \[N, V\] with V > 0 and targets \[N\], got logits \[2, 3\] and targets \[3\]/,
      );
      expect(() => crossEntropy(tensor(randomArray(6, 1), [2, 3]), tensor([0, 1]))).toThrow(
        /targets must be i32 or u32, got f32\[2\]/,
      );
    });
  });
});

describe('oneHot', () => {
  it('encodes i32 and u32 ids of any shape; out-of-range ids give zero rows', async () => {
    await scope(async () => {
      const ids = new Int32Array([2, 0, -1, 3, 1, 7]);
      const y = oneHot(tensor(ids, [2, 3]), 4);
      expect(y.shape).toEqual([2, 3, 4]);
      expect(y.dtype).toBe('f32');
      const expected = new Float32Array(6 * 4);
      ids.forEach((id, i) => {
        if (id >= 0 && id < 4) expected[i * 4 + id] = 1;
      });
      expect(await data(y)).toEqual(expected);
      expect(await data(oneHot(tensor(new Uint32Array([1, 0])), 2))).toEqual(
        new Float32Array([0, 1, 1, 0]),
      );
      expect(() => oneHot(tensor([1, 2]), 3)).toThrow(/ids must be i32 or u32/);
    });
  });
});
