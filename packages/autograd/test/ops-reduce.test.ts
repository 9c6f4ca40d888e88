import { beforeAll, describe, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { cpuReduce, testDevice } from './helpers.js';

const SHAPE = [2, 3, 4];
const add = (a: number, b: number) => a + b;

describe('reduction gradients', () => {
  beforeAll(testDevice);

  it('sum over all, one axis, several axes, keepdim', async () => {
    await gradcheck(
      ([x]) => A.sum(x as A.Variable),
      ([x]) => cpuReduce(x as Float64Array, SHAPE, [0, 1, 2], add, 0),
      [{ shape: SHAPE }],
    );
    await gradcheck(
      ([x]) => A.sum(x as A.Variable, 1),
      ([x]) => cpuReduce(x as Float64Array, SHAPE, [1], add, 0),
      [{ shape: SHAPE }],
    );
    await gradcheck(
      ([x]) => A.sum(x as A.Variable, [0, -1], { keepdim: true }),
      ([x]) => cpuReduce(x as Float64Array, SHAPE, [0, 2], add, 0),
      [{ shape: SHAPE }],
    );
  });

  it('mean', async () => {
    await gradcheck(
      ([x]) => A.mean(x as A.Variable, -1),
      ([x]) => cpuReduce(x as Float64Array, SHAPE, [2], add, 0).map((v) => v / 4),
      [{ shape: SHAPE }],
    );
  });

  it('max and min (gradient to the extreme element)', async () => {
    await gradcheck(
      ([x]) => A.max(x as A.Variable, 2),
      ([x]) => cpuReduce(x as Float64Array, SHAPE, [2], Math.max, -Infinity),
      [{ shape: SHAPE }],
    );
    await gradcheck(
      ([x]) => A.min(x as A.Variable, [0, 1]),
      ([x]) => cpuReduce(x as Float64Array, SHAPE, [0, 1], Math.min, Infinity),
      [{ shape: SHAPE }],
    );
    await gradcheck(
      ([x]) => A.max(x as A.Variable),
      ([x]) => Math.max(...(x as Float64Array)),
      [{ shape: SHAPE }],
    );
  });

  it('variance (unbiased and population)', async () => {
    const cpuVar = (x: Float64Array, correction: number) => {
      const rows = x.length / 4;
      return Float64Array.from({ length: rows }, (_, r) => {
        const row = x.subarray(r * 4, r * 4 + 4);
        const m = row.reduce(add, 0) / 4;
        return row.reduce((s, v) => s + (v - m) ** 2, 0) / (4 - correction);
      });
    };
    await gradcheck(
      ([x]) => A.variance(x as A.Variable, -1),
      ([x]) => cpuVar(x as Float64Array, 1),
      [{ shape: SHAPE }],
    );
    await gradcheck(
      ([x]) => A.variance(x as A.Variable, -1, { correction: 0 }),
      ([x]) => cpuVar(x as Float64Array, 0),
      [{ shape: SHAPE }],
    );
  });
});
