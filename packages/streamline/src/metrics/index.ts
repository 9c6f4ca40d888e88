import { angularMetric } from './angular.js';
import { biMetric } from './bi.js';
import { cosineMetric } from './cosine.js';
import { pplMetric } from './ppl.js';
import type { WindowMetric } from './window-metric.js';

const registry = new Map<string, WindowMetric>();

/**
 * Adds a metric under its name; the pipeline, the CLI (`--metric`, its option flags, `--help`) and
 * the web form pick it up from here. A name may be registered once.
 */
export function registerMetric(metric: WindowMetric): void {
  if (registry.has(metric.name))
    throw new Error(`a metric called '${metric.name}' is already registered`);
  registry.set(metric.name, metric);
}

/** Every metric by name, in registration order (the built-ins first). */
export const METRICS: ReadonlyMap<string, WindowMetric> = registry;

// The built-in metrics; each file is named after its id. Add one: one file, one entry here.
for (const metric of [cosineMetric, angularMetric, biMetric, pplMetric]) registerMetric(metric);

/** The metric called `name`, or an error listing the known ones. */
export function metricByName(name: string): WindowMetric {
  const metric = METRICS.get(name);
  if (!metric)
    throw new Error(`unknown metric '${name}'; choose one of: ${[...METRICS.keys()].join(', ')}`);
  return metric;
}

export type { MetricContext, WindowMetric } from './window-metric.js';
export { angularMetric, biMetric, cosineMetric, pplMetric };
