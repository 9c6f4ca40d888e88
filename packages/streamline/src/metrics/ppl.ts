import { perplexity } from '@llm-streamline/llm';
import type { MetricContext, WindowMetric } from './window-metric.js';

/**
 * `ppl`, the direct measure: perplexity of the scoring blocks with the window's layers removed. The most
 * faithful and the most expensive (one evaluation per window and size); the lowest perplexity
 * marks the most redundant window.
 */
export const pplMetric: WindowMetric = {
  name: 'ppl',
  description:
    'perplexity on the scoring blocks after removing the window (one evaluation per window)',
  label: 'perplexity after removal (slow)',
  higherIsRedundant: false,
  allSizesInOnePass: false,
  async score(context: MetricContext, windowSizes: readonly number[]) {
    const { model, blocks, batchSize } = context;
    const numLayers = model.layers.length;
    const out = new Map<number, number[]>();
    const total = windowSizes.reduce((n, m) => n + numLayers - m + 1, 0);
    let done = 0;
    for (const m of windowSizes) {
      const scores: number[] = [];
      for (let j = 0; j + m <= numLayers; j++) {
        context.signal?.throwIfAborted();
        const removed = model.layers.splice(j, m);
        try {
          scores.push(
            (
              await perplexity(model, blocks, {
                batchSize,
                shouldStop: () => context.signal?.aborted ?? false,
              })
            ).perplexity,
          );
        } catch (e) {
          throw context.signal?.aborted ? context.signal.reason : e;
        } finally {
          model.layers.splice(j, 0, ...removed);
        }
        context.onProgress?.(++done, total);
      }
      out.set(m, scores);
    }
    return out;
  },
};
