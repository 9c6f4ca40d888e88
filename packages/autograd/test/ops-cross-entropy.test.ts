import * as T from '@llm-streamline/tensor';
import { beforeAll, describe, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { testDevice } from './helpers.js';

/** Per-row losses logΣexp(z) − z[t] (0 for ignored rows), then reduced. */
function cpuCrossEntropy(
  z: Float64Array,
  targets: readonly number[],
  classes: number,
  reduction: 'mean' | 'sum' | 'none',
  ignoreIndex = -100,
): number | Float64Array {
  const losses = Float64Array.from(targets, (t, r) => {
    if (t === ignoreIndex) return 0;
    const row = z.subarray(r * classes, (r + 1) * classes);
    return Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - (row[t] as number);
  });
  if (reduction === 'none') return losses;
  const total = losses.reduce((a, b) => a + b, 0);
  return reduction === 'sum' ? total : total / targets.filter((t) => t !== ignoreIndex).length;
}

describe('crossEntropy gradient', () => {
  beforeAll(testDevice);

  const targets = [2, -100, 0, 4]; // row 1 ignored (PyTorch's default ignore index)
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    it(`reduction '${reduction}' with an ignored row`, () =>
      gradcheck(
        ([z]) =>
          A.crossEntropy(z as A.Variable, T.tensor(Int32Array.from(targets), [4]), { reduction }),
        ([z]) => cpuCrossEntropy(z as Float64Array, targets, 5, reduction),
        [{ shape: [4, 5], lo: -2, hi: 2 }],
        { label: reduction },
      ));
  }

  it('a custom ignore index', () =>
    gradcheck(
      ([z]) =>
        A.crossEntropy(z as A.Variable, T.tensor(Int32Array.from([1, 3, 3]), [3]), {
          ignoreIndex: 3,
        }),
      ([z]) => cpuCrossEntropy(z as Float64Array, [1, 3, 3], 4, 'mean', 3),
      [{ shape: [3, 4], lo: -2, hi: 2 }],
    ));
});
