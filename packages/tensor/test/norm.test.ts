import { beforeAll, describe, expect, it } from 'vitest';
import * as T from '../src/index.js';
import { type Device, rmsNorm, scope, type Tensor, tensor } from '../src/index.js';
import { randomArray, restoreKernelVariantAfterEach, testDevice, valuesOf } from './helpers.js';

let device: Device;
beforeAll(async () => {
  device = await testDevice();
});
restoreKernelVariantAfterEach();

/** LLaMA's RMSNorm in float64: weight * (x / sqrt(mean(x²) + eps)) over the last axis. */
function reference(
  x: readonly number[],
  d: number,
  w: ArrayLike<number>,
  eps: number,
): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let ss = 0;
    for (let j = 0; j < d; j++) ss += (x[r * d + j] as number) ** 2;
    const inv = 1 / Math.sqrt(ss / d + eps);
    for (let j = 0; j < d; j++) out[r * d + j] = (w[j] as number) * (x[r * d + j] as number) * inv;
  }
  return out;
}

async function check(
  x: Tensor,
  data: ArrayLike<number>,
  weight: Float32Array,
  eps: number,
): Promise<void> {
  const y = rmsNorm(x, tensor(weight), eps);
  expect(y.shape).toEqual(x.shape);
  expect(y.isContiguous).toBe(true);
  expect(await T.data(y)).toBeAllclose(
    reference(valuesOf(data, x), x.shape[x.rank - 1] as number, weight, eps),
    { atol: 1e-6, rtol: 1e-5 },
  );
}

describe.each(['register', 'tiled'] as const)('rmsNorm (%s kernels)', (variant) => {
  it('normalises batched rows of odd length', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const data = randomArray(2 * 3 * 37, 1, -2, 2);
      await check(tensor(data, [2, 3, 37]), data, randomArray(37, 2, 0.5, 1.5), 1e-5);
      await check(tensor(data, [222]), data, randomArray(222, 3), 1e-6);
    });
  });

  it('reads non-contiguous views and a weight view with an offset', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const data = randomArray(8 * 12, 4, -3, 3);
      const base = tensor(data, [8, 12]);
      await check(base.transpose(), data, randomArray(8, 5), 1e-5);
      await check(base.narrow(1, 3, 7), data, randomArray(7, 6), 1e-5);
      await check(base.narrow(0, 2, 1).expand([5, 12]), data, randomArray(12, 7), 1e-5);
      const wData = randomArray(20, 8);
      const w = tensor(wData).narrow(0, 5, 12);
      const y = rmsNorm(base, w, 1e-5);
      expect(await T.data(y)).toBeAllclose(reference([...data], 12, wData.subarray(5, 17), 1e-5), {
        atol: 1e-6,
        rtol: 1e-5,
      });
    });
  });

  it('keeps eps meaningful for all-zero and tiny rows', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const x = tensor([0, 0, 0, 0, 1e-4, -1e-4, 1e-4, -1e-4], [2, 4]);
      const y = await T.data(rmsNorm(x, tensor([1, 2, 3, 4]), 1e-6));
      expect(y).toBeAllclose(
        reference([0, 0, 0, 0, 1e-4, -1e-4, 1e-4, -1e-4], 4, [1, 2, 3, 4], 1e-6),
        { atol: 1e-6, rtol: 1e-5 },
      );
    });
  });

  it('handles long rows (workgroup-per-row path on CPU adapters too)', async () => {
    device.kernelVariant = variant;
    await scope(async () => {
      const data = randomArray(2 * 4096, 9, -1, 1);
      await check(tensor(data, [2, 4096]), data, randomArray(4096, 10), 1e-5);
    });
  });
});

describe('rmsNorm errors', () => {
  it('names the shapes when weight does not fit', async () => {
    await scope(async () => {
      expect(() => rmsNorm(tensor([1, 2, 3, 4], [2, 2]), tensor([1, 2, 3]), 1e-5)).toThrow(
        /weight \[3\] must be \[D\] for x \[2, 2\]/,
      );
    });
  });
});
