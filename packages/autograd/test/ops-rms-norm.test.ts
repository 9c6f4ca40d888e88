import { beforeAll, describe, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { cpuPermute, testDevice } from './helpers.js';

/** w ⊙ x / √(mean(x²) + eps) per row of the last axis. */
function cpuRmsNorm(x: Float64Array, w: Float64Array, eps: number): Float64Array {
  const d = w.length;
  return x.map((v, i) => {
    const row = Math.floor(i / d) * d;
    let ms = 0;
    for (let j = 0; j < d; j++) ms += (x[row + j] as number) ** 2;
    return ((w[i % d] as number) * v) / Math.sqrt(ms / d + eps);
  });
}

describe('rmsNorm gradients', () => {
  beforeAll(testDevice);

  it('input and weight, rows of a 3-d input', async () => {
    await gradcheck(
      ([x, w]) => A.rmsNorm(x as A.Variable, w as A.Variable, 1e-5),
      ([x, w]) => cpuRmsNorm(x as Float64Array, w as Float64Array, 1e-5),
      [{ shape: [2, 3, 6] }, { shape: [6], lo: 0.5, hi: 1.5 }],
    );
  });

  it('a transposed input, a frozen weight, a large eps', async () => {
    await gradcheck(
      ([x, w]) => A.rmsNorm(A.transpose(x as A.Variable), w as A.Variable, 0.5),
      ([x, w]) => cpuRmsNorm(cpuPermute(x as Float64Array, [5, 3], [1, 0]), w as Float64Array, 0.5),
      [{ shape: [5, 3] }, { shape: [5], requiresGrad: false }],
    );
  });
});
