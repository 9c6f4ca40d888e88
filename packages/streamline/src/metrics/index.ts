import { angularMetric } from './angular.js';
import { blockInfluenceMetric } from './block-influence.js';
import { cosineMetric } from './cosine.js';
import { perplexityMetric } from './perplexity-after-removal.js';
import type { WindowMetric } from './window-metric.js';

/** Every built-in metric by name. Add a metric: write it in one file and list it here. */
export const METRICS: ReadonlyMap<string, WindowMetric> = new Map(
  [cosineMetric, angularMetric, blockInfluenceMetric, perplexityMetric].map((m) => [m.name, m]),
);

/** The metric called `name`, or an error listing the known ones. */
export function metricByName(name: string): WindowMetric {
  const metric = METRICS.get(name);
  if (!metric)
    throw new Error(`unknown metric '${name}'; choose one of: ${[...METRICS.keys()].join(', ')}`);
  return metric;
}

export type { MetricContext, WindowMetric } from './window-metric.js';
export { angularMetric, blockInfluenceMetric, cosineMetric, perplexityMetric };
