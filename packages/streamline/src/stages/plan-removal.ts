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
}

export interface PlanOptions {
  /** Default: a quarter of the layers. */
  target?: RemovalTarget;
  /** Names in the registries; the defaults apply when undefined. */
  replacement: string;
  replacementOptions?: OptionRecord;
  metric: string;
  metricOptions?: OptionRecord;
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
  return {
    kind,
    kindOptions: resolveOptions(kind.name, kind.options ?? [], o.replacementOptions),
    metric,
    metricOptions: resolveOptions(metric.name, metric.options ?? [], o.metricOptions),
    n,
    m: kind.windowSize(n),
  };
}
