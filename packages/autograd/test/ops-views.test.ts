import * as T from '@llm-streamline/tensor';
import { beforeAll, describe, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { cpuBroadcast, cpuMatmul, cpuPermute, ravel, testDevice, unravel } from './helpers.js';

/** x[..., start:start+length, ...] on one axis, materialised. */
function cpuNarrow(
  x: Float64Array,
  shape: readonly number[],
  axis: number,
  start: number,
  length: number,
): Float64Array {
  const outShape = shape.map((d, i) => (i === axis ? length : d));
  return Float64Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, (_, flat) => {
    const idx = unravel(flat, outShape);
    idx[axis] = (idx[axis] as number) + start;
    return x[ravel(idx, shape)] as number;
  });
}

/**
 * Multiplies by a position-dependent constant, so a view rule that sends gradients to the wrong
 * elements cannot pass by symmetry of the weights.
 */
function ramp(x: A.Variable): A.Variable {
  const n = x.value.size;
  return A.mul(
    x,
    A.variable(
      T.tensor(
        Array.from({ length: n }, (_, i) => 1 + i / n),
        x.shape,
      ),
    ),
  );
}
const cpuRamp = (x: Float64Array) => x.map((v, i) => v * (1 + i / x.length));

describe('view gradients', () => {
  beforeAll(testDevice);

  it('reshape', async () => {
    await gradcheck(
      ([x]) => A.reshape(ramp(x as A.Variable), [4, 3]),
      ([x]) => cpuRamp(x as Float64Array),
      [{ shape: [2, 6] }],
    );
  });

  it('permute and transpose', async () => {
    await gradcheck(
      ([x]) => A.permute(ramp(x as A.Variable), [2, 0, 1]),
      ([x]) => cpuPermute(cpuRamp(x as Float64Array), [2, 3, 4], [2, 0, 1]),
      [{ shape: [2, 3, 4] }],
    );
    await gradcheck(
      ([x]) => A.transpose(ramp(x as A.Variable), 0, 2),
      ([x]) => cpuPermute(cpuRamp(x as Float64Array), [2, 3, 4], [2, 1, 0]),
      [{ shape: [2, 3, 4] }],
    );
  });

  it('expand (gradient summed over the broadcast dims)', async () => {
    await gradcheck(
      ([x]) => ramp(A.expand(x as A.Variable, [2, 3, 4])),
      ([x]) =>
        cpuRamp(
          cpuBroadcast(
            [x as Float64Array, new Float64Array(24)],
            [
              [3, 1],
              [2, 3, 4],
            ],
            (v) => v,
          ),
        ),
      [{ shape: [3, 1] }],
    );
  });

  it('unsqueeze, squeeze, contiguous', async () => {
    await gradcheck(
      ([x]) => A.squeeze(A.unsqueeze(ramp(x as A.Variable), 1), 1),
      ([x]) => cpuRamp(x as Float64Array),
      [{ shape: [3, 2] }],
    );
    await gradcheck(
      ([x]) => A.contiguous(A.transpose(ramp(x as A.Variable))),
      ([x]) => cpuPermute(cpuRamp(x as Float64Array), [3, 2], [1, 0]),
      [{ shape: [3, 2] }],
    );
  });

  it('narrow and slice (gradient is zero outside the window)', async () => {
    await gradcheck(
      ([x]) => A.narrow(ramp(x as A.Variable), 1, 1, 2),
      ([x]) => cpuNarrow(cpuRamp(x as Float64Array), [3, 4], 1, 1, 2),
      [{ shape: [3, 4] }],
    );
    await gradcheck(
      ([x]) => A.slice(ramp(x as A.Variable), 0, -2),
      ([x]) => cpuNarrow(cpuRamp(x as Float64Array), [3, 4], 0, 1, 2),
      [{ shape: [3, 4] }],
    );
  });

  it('a chain of views feeding a matmul (strided operands, no copies)', async () => {
    // x [2, 4, 3] → transpose → [2, 3, 4]; narrow rows 1..3 → [2, 2, 4]; times w [4, 5].
    await gradcheck(
      ([x, w]) => A.matmul(A.narrow(A.transpose(x as A.Variable), 1, 1, 2), w as A.Variable),
      ([x, w]) =>
        cpuMatmul(
          cpuNarrow(cpuPermute(x as Float64Array, [2, 4, 3], [0, 2, 1]), [2, 3, 4], 1, 1, 2),
          [2, 2, 4],
          w as Float64Array,
          [4, 5],
        ),
      [{ shape: [2, 4, 3] }, { shape: [4, 5] }],
    );
  });
});
