import { cosineMetric } from './cosine.js';
import type { MetricContext, WindowMetric } from './window-metric.js';

/**
 * `bi`: ShortGPT's Block Influence (Men et al. 2024): BI = 1 − E[cos(h_j, h_{j+m})], defined there for
 * single layers (m = 1) and extended here to windows. The lowest influence is the most redundant.
 */
export const biMetric: WindowMetric = {
  name: 'bi',
  description: 'Block Influence 1 − mean cosine (ShortGPT, Men et al. 2024)',
  label: 'block influence',
  higherIsRedundant: false,
  allSizesInOnePass: true,
  async score(context: MetricContext, windowSizes: readonly number[]) {
    const cosines = await cosineMetric.score(context, windowSizes);
    return new Map([...cosines].map(([m, s]) => [m, s.map((c) => 1 - c)]));
  },
};
