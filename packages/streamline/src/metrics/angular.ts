import { acos, div, maximum, minimum, scope } from '@llm-streamline/tensor';
import { sumOverWindows } from './hidden-state-walk.js';
import { rowDot, unitRows } from './token-cosine.js';
import type { MetricContext, WindowMetric } from './window-metric.js';

/**
 * Angular distance arccos(cos(h_j, h_{j+m}))/π (Gromov et al. 2024, "The Unreasonable
 * Ineffectiveness of the Deeper Layers"), averaged over tokens. In [0, 1]; the smallest distance
 * marks the most redundant window.
 */
export const angularMetric: WindowMetric = {
  name: 'angular',
  description:
    'mean angular distance arccos(cos)/π between window input and output (Gromov et al. 2024)',
  label: 'angular distance',
  higherIsRedundant: false,
  allSizesInOnePass: true,
  async score(context: MetricContext, windowSizes: readonly number[]) {
    const { sums, tokens } = await sumOverWindows(
      context,
      windowSizes,
      // Rounding can put the dot of two unit rows a hair outside [−1, 1], where arccos is NaN.
      (a, b) => scope(() => div(acos(minimum(maximum(rowDot(a, b), -1), 1)), Math.PI)),
      { prepare: unitRows },
    );
    return new Map([...sums].map(([m, s]) => [m, [...s].map((v) => v / tokens)]));
  },
};
