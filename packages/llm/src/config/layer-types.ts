import type { LlamaConfig } from './llama-config.js';

/**
 * The attention window of layer `index` of the configuration (a query at position q sees keys
 * q − window < k ≤ q), or undefined for full causal attention.
 */
export function layerWindow(config: LlamaConfig, index: number): number | undefined {
  if (config.slidingWindow === undefined) return undefined;
  const type = config.layerTypes?.[index] ?? 'sliding_attention';
  return type === 'sliding_attention' ? config.slidingWindow : undefined;
}

/**
 * The configuration of a model whose layers are, in order, layers `sources` of `config`'s model
 * (`undefined` for a layer that is no layer of it: a replacement block). The per-layer fields
 * follow: `layer_types` keeps the entries of the kept layers; Qwen2's `max_window_layers` becomes
 * the number of kept layers below it. A replacement takes the type of the layer before it (one at
 * the top, that of the first layer after it), which keeps "full, then sliding" in that shape; its
 * attention adds nothing (it is saved with a zero o_proj), so either type computes the same.
 */
export function configForLayers(
  config: LlamaConfig,
  sources: readonly (number | undefined)[],
): LlamaConfig {
  const out: LlamaConfig = { ...config, numLayers: sources.length };
  const { layerTypes, maxWindowLayers } = config;
  if (layerTypes)
    out.layerTypes = fillGaps(
      sources.map((i) => (i === undefined ? i : layerTypes[i])),
      'full_attention',
    );
  if (maxWindowLayers !== undefined) {
    const below = fillGaps(
      sources.map((i) => (i === undefined ? i : i < maxWindowLayers)),
      true,
    );
    out.maxWindowLayers = below.filter((b) => b).length;
  }
  return out;
}

/** Each undefined entry takes the value before it (leading ones the first value, else `none`). */
function fillGaps<T>(values: readonly (T | undefined)[], none: T): T[] {
  let last = values.find((v) => v !== undefined) ?? none;
  return values.map((v) => {
    if (v !== undefined) last = v;
    return last;
  });
}
