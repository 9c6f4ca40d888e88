import { createRegistry } from '../registry.js';
import { angularMetric } from './angular.js';
import { biMetric } from './bi.js';
import { cosineMetric } from './cosine.js';
import { pplMetric } from './ppl.js';
import type { WindowMetric } from './window-metric.js';

const metrics = createRegistry<WindowMetric>('metric');

/** Every metric by name, in registration order (the built-ins first). */
export const METRICS = metrics.entries;

/**
 * Adds a metric under its name; the pipeline, the CLI (`--metric`, its option flags, `--help`) and
 * the web form pick it up from here. A name may be registered once.
 */
export const registerMetric = metrics.register;

/** The metric called `name`, or an error listing the known ones. */
export const metricByName = metrics.byName;

// The built-in metrics; each file is named after its id. Add one: one file, one entry here.
for (const metric of [cosineMetric, angularMetric, biMetric, pplMetric]) registerMetric(metric);

export type { MetricContext, WindowMetric } from './window-metric.js';
export { angularMetric, biMetric, cosineMetric, pplMetric };
