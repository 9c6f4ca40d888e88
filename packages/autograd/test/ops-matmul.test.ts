import { beforeAll, describe, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { cpuMatmul, testDevice } from './helpers.js';

/** Checks matmul of the given shapes against the CPU product. */
function check(aShape: number[], bShape: number[]) {
  return gradcheck(
    ([a, b]) => A.matmul(a as A.Variable, b as A.Variable),
    ([a, b]) => cpuMatmul(a as Float64Array, aShape, b as Float64Array, bShape),
    [{ shape: aShape }, { shape: bShape }],
    { label: `${aShape} · ${bShape}` },
  );
}

describe('matmul gradients', () => {
  beforeAll(testDevice);

  it('2-d', () => check([3, 5], [5, 4]));
  it('batched', () => check([2, 3, 4], [2, 4, 2]));
  it('broadcast batch: [2, 3, 4] · [4, 5] sums the weight gradient over the batch', () =>
    check([2, 3, 4], [4, 5]));
  it('broadcast batch both ways: [2, 1, 3, 4] · [1, 2, 4, 3]', () =>
    check([2, 1, 3, 4], [1, 2, 4, 3]));
  it('only one side requires grad', () =>
    gradcheck(
      ([a, b]) => A.matmul(a as A.Variable, b as A.Variable),
      ([a, b]) => cpuMatmul(a as Float64Array, [3, 4], b as Float64Array, [4, 2]),
      [{ shape: [3, 4], requiresGrad: false }, { shape: [4, 2] }],
    ));
});

describe('linear gradients (x·Wᵀ + b with W [out, in])', () => {
  beforeAll(testDevice);

  const cpuLinear = (
    x: Float64Array,
    w: Float64Array,
    b: Float64Array | undefined,
    rows: number,
    inDim: number,
    outDim: number,
  ) =>
    Float64Array.from({ length: rows * outDim }, (_, i) => {
      const [r, o] = [Math.floor(i / outDim), i % outDim];
      let s = b ? (b[o] as number) : 0;
      for (let k = 0; k < inDim; k++)
        s += (x[r * inDim + k] as number) * (w[o * inDim + k] as number);
      return s;
    });

  it('3-d input with bias', () =>
    gradcheck(
      ([x, w, b]) => A.linear(x as A.Variable, w as A.Variable, b as A.Variable),
      ([x, w, b]) => cpuLinear(x as Float64Array, w as Float64Array, b as Float64Array, 6, 4, 3),
      [{ shape: [2, 3, 4] }, { shape: [3, 4] }, { shape: [3] }],
    ));

  it('a transposed (non-contiguous) input, no bias', () =>
    gradcheck(
      ([x, w]) => A.linear(A.transpose(x as A.Variable), w as A.Variable),
      ([x, w]) => {
        const xt = Float64Array.from(
          { length: 15 },
          (_, i) => (x as Float64Array)[(i % 3) * 5 + Math.floor(i / 3)] as number,
        );
        return cpuLinear(xt, w as Float64Array, undefined, 5, 3, 2);
      },
      [{ shape: [3, 5] }, { shape: [2, 3] }],
    ));
});
