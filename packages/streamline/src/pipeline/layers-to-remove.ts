import type { LlamaForCausalLM } from '@llm-streamline/llm';

/** How many layers to remove: directly, or as the fraction of parameters to remove. */
export type RemovalTarget = { layers: number } | { ratio: number };

/**
 * Step 3 of the method: n, the net number of layers removed. From a ratio r, n is the number of
 * whole decoder layers whose parameters come closest to r of the model's parameters (embeddings
 * and head included in the total), at least 1. Checks that n leaves at least one layer.
 */
export function layersToRemove(
  model: LlamaForCausalLM,
  target: RemovalTarget,
  windowExtra: number,
): number {
  const numLayers = model.layers.length;
  let n: number;
  if ('layers' in target) {
    n = target.layers;
  } else {
    if (!(target.ratio > 0 && target.ratio < 1))
      throw new RangeError(`ratio must be between 0 and 1, got ${target.ratio}`);
    const layerParams = model.layers.at(0).parameterCount();
    n = Math.max(1, Math.round((target.ratio * model.parameterCount()) / layerParams));
  }
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`the number of layers to remove must be a positive integer, got ${n}`);
  // Plain removal keeps L − n ≥ 1 layers; a replacement's window of n + extra layers must fit in
  // the model (it may span all of them: the replacement is then the one layer left). Either way
  // at most L − 1 layers go.
  if (n > numLayers - 1 || n + windowExtra > numLayers) {
    throw new RangeError(
      `cannot remove ${n} of ${numLayers} layers${windowExtra ? ` with a replacement (its window spans n + ${windowExtra} = ${n + windowExtra} layers)` : ''}: ` +
        `at most ${numLayers - 1} can be removed`,
    );
  }
  return n;
}
