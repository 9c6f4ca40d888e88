import { sumOverWindows } from './hidden-state-walk.js';
import { rowDot, unitRows } from './token-cosine.js';
import type { MetricContext, WindowMetric } from './window-metric.js';

/**
 * LLM-Streamline's importance: mean over calibration tokens of cos(h_j, h_{j+m}), where h_j is the
 * input of layer j and h_{j+m} the output of layer j+m−1 (both before the final norm). A window that
 * barely turns the hidden state (cosine near 1) is the most redundant.
 */
export const cosineMetric: WindowMetric = {
  name: 'cosine',
  description: 'mean cosine similarity between the input and output of the window (LLM-Streamline)',
  label: 'cosine similarity',
  higherIsRedundant: true,
  allSizesInOnePass: true,
  async score(context: MetricContext, windowSizes: readonly number[]) {
    const { sums, tokens } = await sumOverWindows(context, windowSizes, rowDot, {
      prepare: unitRows,
    });
    return new Map([...sums].map(([m, s]) => [m, [...s].map((v) => v / tokens)]));
  },
};
