import type { WindowMetric } from './window-metric.js';

export interface WindowChoice {
  /** First layer of the window (j). */
  start: number;
  /** Layers in the window (m). */
  size: number;
  score: number;
}

/**
 * The most redundant window among the scores of size m: the highest or lowest score as the metric
 * says, the earliest on ties. `excludeLastLayer` skips windows that end at the last layer, which
 * several papers keep because it feeds the output head directly.
 */
export function selectWindow(
  metric: WindowMetric,
  scores: readonly number[],
  size: number,
  { excludeLastLayer = false } = {},
): WindowChoice {
  const numLayers = scores.length + size - 1;
  let best: WindowChoice | undefined;
  scores.forEach((score, start) => {
    if (excludeLastLayer && start + size === numLayers) return;
    if (Number.isNaN(score)) return;
    const better = !best || (metric.higherIsRedundant ? score > best.score : score < best.score);
    if (better) best = { start, size, score };
  });
  if (!best)
    throw new Error(
      `no window of ${size} layers can be chosen (${scores.length} candidates${excludeLastLayer ? ', last-layer windows excluded' : ''})`,
    );
  return best;
}
