/**
 * Step 3 of the method, first half: how many layers go. n comes from the target (a quarter of the
 * layers by default), and the window spans m = n + 1 layers when one module takes its place
 * (m = n for plain removal). Checked before any work, so a target the model cannot meet, an unknown
 * metric or kind, or a bad kind option fails at once. The CLI calls it too, to say so as a usage
 * error.
 */
import type { LlamaForCausalLM } from '@llm-streamline/llm';
import { metricByName, type WindowMetric } from '../metrics/index.js';
import { type OptionRecord, resolveOptions } from '../options/option-spec.js';
import { defaultTarget } from '../pipeline/defaults.js';
import { layersToRemove, type RemovalTarget } from '../pipeline/layers-to-remove.js';
import { type ReplacementKind, replacementByName } from '../replacements/index.js';

export interface RemovalPlan {
  kind: ReplacementKind;
  /** The kind's options, checked and with defaults filled in (what `create()` receives). */
  kindOptions: Record<string, number | string | boolean>;
  metric: WindowMetric;
  metricOptions: Record<string, number | string | boolean>;
  /** n: layers removed net. */
  n: number;
  /** m: layers in the window the kind replaces (n + 1, or n for plain removal). */
  m: number;
  /** The window's first layer when the caller forces it (checked against m); else undefined. */
  windowStart?: number;
}

export interface PlanOptions {
  /** Default: a quarter of the layers. */
  target?: RemovalTarget;
  /** Names in the registries; the defaults apply when undefined. */
  replacement: string;
  replacementOptions?: OptionRecord;
  metric: string;
  metricOptions?: OptionRecord;
  /** Force the window to start at this layer instead of the most redundant one. */
  windowStart?: number;
  excludeLastLayer?: boolean;
}

/** A forced window start this model and m cannot have; `last` is the largest that works. */
export class WindowStartError extends RangeError {
  override name = 'WindowStartError';
  constructor(
    readonly last: number,
    message: string,
  ) {
    super(message);
  }
}

/** The kind, the metric, n and m for `model`; throws (naming what is wrong) when they cannot be. */
export function planRemoval(model: LlamaForCausalLM, o: PlanOptions): RemovalPlan {
  const kind = replacementByName(o.replacement);
  const metric = metricByName(o.metric);
  const n = layersToRemove(
    model,
    o.target ?? defaultTarget(model.layers.length),
    kind.windowSize(1) - 1,
  );
  const m = kind.windowSize(n);
  if (o.windowStart !== undefined)
    checkWindowStart(o.windowStart, m, model.layers.length, o.excludeLastLayer ?? false);
  return {
    kind,
    kindOptions: resolveOptions(kind.name, kind.options ?? [], o.replacementOptions),
    metric,
    metricOptions: resolveOptions(metric.name, metric.options ?? [], o.metricOptions),
    n,
    m,
    windowStart: o.windowStart,
  };
}

/** J must leave room for m layers (and, with excludeLastLayer, end before the last layer). */
function checkWindowStart(start: number, m: number, layers: number, excludeLastLayer: boolean) {
  const last = layers - m - (excludeLastLayer ? 1 : 0);
  if (Number.isInteger(start) && start >= 0 && start <= last) return;
  throw new WindowStartError(
    last,
    `window start ${start} is out of range: a window of m = ${m} layers in a ${layers}-layer model starts at 0…${last}${excludeLastLayer ? ' (windows ending at the last layer excluded)' : ''}`,
  );
}
