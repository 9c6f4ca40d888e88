/**
 * The settings against the loaded model, before any compute: the same removal plan `streamline()`
 * makes first (n layers of L, the kind and metric and their options), so that n = 9 on a 5-layer
 * model is an error next to "Layers to remove", not a failure reported after loading and generating.
 */
import type { LlamaForCausalLM } from '@llm-streamline/llm';
import { planRemoval } from '@llm-streamline/streamline';
import type { RunSettings } from './settings.js';
import { FieldError } from './ui/field-errors.js';

export function checkSettingsAgainst(model: LlamaForCausalLM, s: RunSettings): void {
  try {
    planRemoval(model, {
      target: { layers: s.layers },
      replacement: s.options.replacement,
      replacementOptions: s.replacementOptions,
      metric: s.options.metric,
      metricOptions: s.metricOptions,
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // The layer count is the setting a model most often cannot take; other problems name their option.
    if (/layer/.test(message) && !/option/.test(message))
      throw new FieldError('layers', `Layers to remove (n): ${message}.`);
    throw e;
  }
}
