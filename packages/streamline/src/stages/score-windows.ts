/**
 * Step 2 of the method: every window's redundancy score, e.g. the mean over calibration tokens of
 * cos(h_j, h_{j+m}). One pass scores both the replaced window (m) and the plain-removal one (n),
 * and, when that costs nothing but memory, every other size 1…L−1 for the report's heat map.
 */
import type { LlamaForCausalLM } from '@llm-streamline/llm';
import { assertFiniteScores } from '../metrics/finite-scores.js';
import type { WindowMetric } from '../metrics/index.js';
import type { ResolvedOptions } from '../pipeline/defaults.js';
import type { RemovalPlan } from './plan-removal.js';
import type { RunClock } from './run-clock.js';

/** Scores by window size m; entry j of a size's list is the window of layers j…j+m−1. */
export type WindowScores = Map<number, number[]>;

export function scoreWindows(
  o: ResolvedOptions,
  plan: RemovalPlan,
  scoring: readonly number[][],
  clock: RunClock,
): Promise<WindowScores> {
  const { model } = o;
  const { metric, n, m } = plan;
  const everySize = wantsAllSizes(
    o.scoreAllSizes,
    metric,
    model,
    o.batchSize,
    scoring.length,
    o.blockLength,
  )
    ? Array.from({ length: model.layers.length - 1 }, (_, k) => k + 1)
    : [];
  const sizes = [...new Set([m, n, ...everySize])].sort((a, b) => a - b);
  return clock.timed('scoring', async () => {
    const scores = await metric.score(
      {
        model,
        blocks: scoring,
        batchSize: o.batchSize,
        signal: o.signal,
        onProgress: clock.progress('scoring'),
        options: plan.metricOptions,
      },
      sizes,
    );
    assertFiniteScores(scores, [m, n], metric.name, `${o.modelSource ?? 'the model'}, scoring`);
    return scores;
  });
}

/** The walk keeps L hidden states of a batch to score every size; allowed up to this many bytes. */
const ALL_SIZES_MEMORY_BYTES = 256 * 2 ** 20;

function wantsAllSizes(
  option: boolean | undefined,
  metric: WindowMetric,
  model: LlamaForCausalLM,
  batchSize: number,
  blocks: number,
  blockLength: number,
): boolean {
  if (option !== undefined) return option;
  if (!metric.allSizesInOnePass) return false;
  const plan = model.memoryPlan;
  if (plan?.mode === 'streamed') {
    // Streamed, every size is scored only when the rings of every batch fit at once: more sizes
    // must not mean streaming the weights more than once.
    const batches = Math.ceil(blocks / batchSize);
    const ring = (model.layers.length + 2) * plan.stateBytes;
    try {
      return plan.batchesPerGroup(ring, batches) === batches;
    } catch {
      return false;
    }
  }
  const bytes = model.layers.length * batchSize * blockLength * model.config.hiddenSize * 4;
  return bytes <= ALL_SIZES_MEMORY_BYTES;
}
