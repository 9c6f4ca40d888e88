import { beforeAll, describe, expect, it } from 'vitest';
import * as T from '../src/index.js';
import {
  type Device,
  logSoftmax,
  reshape,
  scope,
  softmax,
  softmaxGrad,
  type Tensor,
  tensor,
} from '../src/index.js';
import {
  indices,
  randomArray,
  restoreKernelVariantAfterEach,
  testDevice,
  valuesOf,
} from './helpers.js';

let device: Device;
beforeAll(async () => {
  device = await testDevice();
});
restoreKernelVariantAfterEach();

/** The logical values of a view over `data` (the contents of its storage buffer). */
/** Naive (log-)softmax along `axis` in float64, row-major output. */
function reference(
  x: readonly number[],
  shape: readonly number[],
  axis: number,
  log: boolean,
): Float64Array {
  const out = new Float64Array(x.length);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const len = shape[axis] as number;
  const outer = x.length / (inner * len);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => o * len * inner + j * inner + i;
      let m = -Infinity;
      for (let j = 0; j < len; j++) m = Math.max(m, x[at(j)] as number);
      let s = 0;
      for (let j = 0; j < len; j++) s += Math.exp((x[at(j)] as number) - m);
      for (let j = 0; j < len; j++) {
        const v = (x[at(j)] as number) - m;
        out[at(j)] = log ? v - Math.log(s) : Math.exp(v) / s;
      }
    }
  }
  return out;
}

async function check(
  x: Tensor,
  data: ArrayLike<number>,
  axis: number,
  tol = { atol: 1e-6, rtol: 1e-5 },
): Promise<void> {
  const logical = valuesOf(data, x);
  const a = axis < 0 ? axis + x.rank : axis;
  expect(softmax(x, axis).shape).toEqual(x.shape);
  expect(await T.data(softmax(x, axis))).toBeAllclose(reference(logical, x.shape, a, false), tol);
  expect(await T.data(logSoftmax(x, axis))).toBeAllclose(reference(logical, x.shape, a, true), tol);
}

describe.each(['register', 'tiled'] as const)('softmax / logSoftmax (%s kernels)', (variant) => {
  it('matches the reference on every axis of a 3-d tensor', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const data = randomArray(3 * 5 * 7, 1, -3, 3);
      const x = tensor(data, [3, 5, 7]);
      for (const axis of [-1, 0, 1, 2]) await check(x, data, axis);
    });
  });

  it('reads transposed, narrowed and expanded views through their strides', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const data = randomArray(6 * 9, 2, -4, 4);
      const base = tensor(data, [6, 9]);
      await check(base.transpose(), data, -1);
      await check(base.narrow(1, 2, 5).narrow(0, 1, 4), data, -1);
      await check(base.narrow(1, 3, 1).expand([6, 4]), data, -1);
      await check(base.narrow(0, 2, 1).expand([3, 9]), data, 0);
    });
  });

  it('handles size-1 axes, a single row and scalars', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const data = randomArray(5, 3);
      await check(tensor(data, [5, 1]), data, -1);
      await check(tensor(data, [1, 5]), data, -1);
      expect(await T.data(softmax(tensor([3], [])))).toEqual(new Float32Array([1]));
      expect(await T.data(logSoftmax(tensor([3], [])))).toEqual(new Float32Array([0]));
    });
  });

  it('is stable for logits around 1e4 and exact in the far tail', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const data = randomArray(4 * 33, 4, 1e4 - 20, 1e4 + 20);
      await check(tensor(data, [4, 33]), data, -1, { atol: 1e-5, rtol: 1e-4 });
      // log(softmax) would underflow to −∞ here; logSoftmax stays exact.
      const tail = await T.data(logSoftmax(tensor([0, -200, -1e4], [3])));
      expect(tail).toBeAllclose([0, -200, -1e4], { atol: 1e-4, rtol: 1e-6 });
      const p = await T.data(softmax(tensor([-Infinity, 0, -Infinity, 1000], [4])));
      expect(p).toBeAllclose([0, 0, 0, 1]);
    });
  });

  it('handles long rows (workgroup-per-row path on CPU adapters too)', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const data = randomArray(3 * 4100, 5, -5, 5);
      await check(tensor(data, [3, 4100]), data, -1);
      await check(tensor(data, [4100, 3]), data, 0);
    });
  });
});

describe('softmax errors', () => {
  it('rejects integer tensors and bad axes', async () => {
    await scope(async () => {
      expect(() => softmax(tensor(new Int32Array([1, 2]), [2]))).toThrow(
        /softmax: x must be f32, got i32\[2\]/,
      );
      expect(() => softmax(tensor([1, 2], [2]), 1)).toThrow(/axis 1 is out of range/);
    });
  });
});

describe('softmaxGrad', () => {
  /** p ⊙ (dp − d) · scale per row, in float64. */
  function naive(
    p: ArrayLike<number>,
    dp: ArrayLike<number>,
    d: ArrayLike<number>,
    n: number,
    scale: number,
  ): number[] {
    return Array.from(
      p,
      (v, i) => v * ((dp[i] as number) - (d[Math.floor(i / n)] as number)) * scale,
    );
  }

  it.each([
    [3, 8],
    [5, 7],
    [2, 1],
  ])('matches a naive loop for %i rows of %i (vec4 and scalar rows)', async (rows, n) => {
    await scope(async () => {
      const [p, dp, d] = [
        randomArray(rows * n, 21),
        randomArray(rows * n, 22),
        randomArray(rows, 23),
      ];
      const got = await T.data(
        softmaxGrad(tensor(p, [rows, n]), tensor(dp, [rows, n]), tensor(d, [rows, 1]), 0.25),
      );
      expect(got).toBeAllclose(naive(p, dp, d, n, 0.25));
    });
  });

  it('reads views: an offset p, a transposed dp, a flat d', async () => {
    await scope(async () => {
      const base = randomArray(4 + 3 * 8, 24);
      const p = reshape(tensor(base, [4 + 3 * 8]).narrow(0, 4, 24), [3, 8]);
      const dpData = randomArray(24, 25);
      const dpT = tensor(dpData, [8, 3]).transpose();
      const d = randomArray(3, 26);
      const got = await T.data(softmaxGrad(p, dpT, tensor(d, [3])));
      const dpRows = [...indices([3, 8])].map(
        ([r, c]) => dpData[(c as number) * 3 + (r as number)] as number,
      );
      expect(got).toBeAllclose(naive(base.slice(4), dpRows, d, 8, 1));
    });
  });

  it('names mismatched shapes', async () => {
    await scope(async () => {
      expect(() =>
        softmaxGrad(tensor([1, 2], [1, 2]), tensor([1, 2, 3], [1, 3]), tensor([1], [1])),
      ).toThrow(/softmaxGrad: p \[1, 2\] and dp \[1, 3\] must have the same shape/);
    });
  });
});
