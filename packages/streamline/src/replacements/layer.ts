import { LlamaDecoderLayer } from '@llm-streamline/llm';
import { copyWeightsFrom } from './copy-weights.js';
import { countParameters } from './count-parameters.js';
import type { ReplacementKind } from './replacement.js';

/**
 * One full decoder layer in place of m = n + 1 layers, initialised from the window's first layer
 * (the paper's default), then trained alone with causal attention — the reference implementation
 * trained it without a causal mask, which lets it see future tokens it cannot see at inference.
 */
export const layerReplacement: ReplacementKind = {
  name: 'layer',
  description:
    "one decoder layer initialised from the window's first layer, trained to map h_j to h_{j+m}",
  label: 'a trained decoder layer',
  windowSize: (n) => n + 1,
  fit: 'train',
  parameterCount: (model) => countParameters(new LlamaDecoderLayer(model.config, 0, 0, 'empty')),
  create({ model, start, seed }) {
    const first = model.layers.at(start);
    // The window's first layer also gives the replacement its place in layer_types.
    const index = first instanceof LlamaDecoderLayer ? first.layerIndex : start;
    const layer = new LlamaDecoderLayer(model.config, seed, index);
    copyWeightsFrom(layer, first);
    return layer;
  },
};
