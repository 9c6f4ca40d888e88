import { beforeAll, describe, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { cpuPermute, ravel, testDevice, unravel } from './helpers.js';

/** (log-)softmax of x along `axis`, naively: each output recomputes its row's log-sum-exp. */
function cpuSoftmax(
  x: Float64Array,
  shape: readonly number[],
  axis: number,
  log: boolean,
): Float64Array {
  return x.map((v, flat) => {
    const idx = unravel(flat, shape);
    let s = 0;
    for (let j = 0; j < (shape[axis] as number); j++) {
      idx[axis] = j;
      s += Math.exp(x[ravel(idx, shape)] as number);
    }
    return log ? v - Math.log(s) : Math.exp(v) / s;
  });
}

describe('softmax and logSoftmax gradients', () => {
  beforeAll(testDevice);

  for (const log of [false, true]) {
    const op = log ? A.logSoftmax : A.softmax;
    const name = log ? 'logSoftmax' : 'softmax';

    it(`${name} along the last axis and along axis 0`, async () => {
      await gradcheck(
        ([x]) => op(x as A.Variable),
        ([x]) => cpuSoftmax(x as Float64Array, [3, 5], 1, log),
        [{ shape: [3, 5], lo: -3, hi: 3 }],
        { label: name },
      );
      await gradcheck(
        ([x]) => op(x as A.Variable, 0),
        ([x]) => cpuSoftmax(x as Float64Array, [3, 2, 4], 0, log),
        [{ shape: [3, 2, 4], lo: -3, hi: 3 }],
        { label: name },
      );
    });

    it(`${name} of a transposed view`, async () => {
      await gradcheck(
        ([x]) => op(A.transpose(x as A.Variable)),
        ([x]) => cpuSoftmax(cpuPermute(x as Float64Array, [4, 3], [1, 0]), [3, 4], 1, log),
        [{ shape: [4, 3], lo: -3, hi: 3 }],
        { label: name },
      );
    });
  }
});
