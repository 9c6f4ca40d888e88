import { beforeAll, describe, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { cpuPermute, testDevice } from './helpers.js';

/** Weights each output element differently so misplaced gradients show up. */
const weighted = (x: A.Variable) => A.mul(x, A.sigmoid(x));
const cpuWeighted = (v: number) => v / (1 + Math.exp(-v));

describe('cat, stack and split gradients', () => {
  beforeAll(testDevice);

  it('cat along axis 1 of [2, 1, 3] and [2, 2, 3]', () =>
    gradcheck(
      ([a, b]) => A.cat([a as A.Variable, b as A.Variable], 1),
      ([a, b]) => {
        const out: number[] = [];
        for (let i = 0; i < 2; i++)
          out.push(
            ...(a as Float64Array).subarray(i * 3, i * 3 + 3),
            ...(b as Float64Array).subarray(i * 6, i * 6 + 6),
          );
        return out;
      },
      [{ shape: [2, 1, 3] }, { shape: [2, 2, 3] }],
    ));

  it('stack along a new middle axis, one input used twice', () =>
    gradcheck(
      ([a, b]) => A.stack([a as A.Variable, b as A.Variable, a as A.Variable], 1),
      ([a, b]) =>
        cpuPermute(
          Float64Array.from([
            ...(a as Float64Array),
            ...(b as Float64Array),
            ...(a as Float64Array),
          ]),
          [3, 2, 3],
          [1, 0, 2],
        ),
      [{ shape: [2, 3] }, { shape: [2, 3] }],
    ));

  it('split into sizes along the last axis, parts used differently, one unused', () =>
    gradcheck(
      ([x]) => {
        const [p, q] = A.split(x as A.Variable, [1, 2, 1], -1);
        return A.cat([weighted(p as A.Variable), A.mul(q as A.Variable, 3)], -1);
      },
      ([x]) => {
        const out: number[] = [];
        for (let r = 0; r < 3; r++) {
          const row = (x as Float64Array).subarray(r * 4, r * 4 + 4);
          out.push(cpuWeighted(row[0] as number), 3 * (row[1] as number), 3 * (row[2] as number));
        }
        return out;
      },
      [{ shape: [3, 4] }],
    ));

  it('split into equal parts along axis 0', () =>
    gradcheck(
      ([x]) => {
        const [p, q] = A.split(x as A.Variable, 2, 0);
        return A.mul(p as A.Variable, q as A.Variable);
      },
      ([x]) => {
        const v = x as Float64Array;
        return Array.from({ length: 3 }, (_, i) => (v[i] as number) * (v[i + 3] as number));
      },
      [{ shape: [2, 3] }],
    ));
});
