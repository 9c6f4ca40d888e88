/**
 * Other methods for the same n, side by side with LLM-Streamline's (research users compare
 * methods): ShortGPT, the n layers of lowest Block Influence anywhere in the model, and the window
 * of n layers the perplexity metric would choose. Each choice is recorded with its perplexity on
 * the evaluation blocks the pipeline's other models are measured on. Runs before the window is
 * spliced out, with the model as loaded; the model is left as it was found.
 *
 * Cost: ShortGPT needs BI of single layers, taken from the scoring pass when it already has them
 * (metric cosine or bi with every size scored), else one more pass over the scoring blocks. The
 * perplexity window needs L − n + 1 perplexity evaluations of the scoring blocks (free when the
 * run's metric is `ppl`), so it is opt-in (`pplBaseline`). Each baseline then costs one more
 * evaluation, sharing the layers before the earliest removed one.
 */
import { perplexityOfVariants } from '@llm-streamline/llm';
import { shortGptLayers } from '../baselines/short-gpt.js';
import { withoutLayers } from '../baselines/without-layers.js';
import { biMetric } from '../metrics/bi.js';
import { cosineMetric } from '../metrics/cosine.js';
import { pplMetric } from '../metrics/ppl.js';
import { selectWindow } from '../metrics/select-window.js';
import type { BaselineRecord } from '../pipeline/baseline-record.js';
import type { ResolvedOptions } from '../pipeline/defaults.js';
import type { RemovalPlan } from './plan-removal.js';
import type { RunClock } from './run-clock.js';
import type { WindowScores } from './score-windows.js';

/** The baselines for `plan.n`, or undefined when baselines are not compared (`compareBaselines: false`). */
export async function compareMethods(
  o: ResolvedOptions,
  plan: RemovalPlan,
  scores: WindowScores,
  scoring: readonly number[][],
  evaluation: readonly number[][] | undefined,
  clock: RunClock,
): Promise<BaselineRecord[] | undefined> {
  if (o.compareBaselines === false) return undefined;
  const exclude = { excludeLastLayer: o.excludeLastLayer };
  const influence = await blockInfluence(o, plan, scores, scoring, clock);
  const records: BaselineRecord[] = [
    {
      method: 'short-gpt',
      description: 'ShortGPT: the n layers of lowest Block Influence (m = 1), anywhere',
      layers: shortGptLayers(influence, plan.n, exclude),
      scores: influence,
    },
  ];
  if (o.pplBaseline || plan.metric === pplMetric) {
    const perplexities = await windowPerplexities(o, plan, scores, scoring, clock);
    const w = selectWindow(pplMetric, perplexities, plan.n, exclude);
    records.push({
      method: 'ppl-window',
      description: 'the window of n layers whose removal gives the lowest scoring perplexity',
      layers: Array.from({ length: w.size }, (_, k) => w.start + k),
      scores: perplexities,
    });
  }
  if (!evaluation) return records;
  const measured = await evaluateRemovals(
    o,
    records.map((r) => r.layers),
    evaluation,
    clock,
  );
  return records.map((r, k) => ({ ...r, perplexity: measured[k] }));
}

/** BI_l = 1 − mean cos(h_l, h_{l+1}) of every layer l, from the run's scores when they hold it. */
async function blockInfluence(
  o: ResolvedOptions,
  plan: RemovalPlan,
  scores: WindowScores,
  scoring: readonly number[][],
  clock: RunClock,
): Promise<number[]> {
  const single = scores.get(1);
  if (single && plan.metric === biMetric) return single;
  if (single && plan.metric === cosineMetric) return single.map((c) => 1 - c);
  const computed = await clock.timed('scoring', () =>
    biMetric.score(
      {
        model: o.model,
        blocks: scoring,
        batchSize: o.batchSize,
        signal: o.signal,
        onProgress: clock.progress('scoring', 'block influence of each layer (ShortGPT)'),
      },
      [1],
    ),
  );
  return computed.get(1) as number[];
}

/** Scoring-block perplexity with each window of n layers removed, from the run's scores when it used `ppl`. */
async function windowPerplexities(
  o: ResolvedOptions,
  plan: RemovalPlan,
  scores: WindowScores,
  scoring: readonly number[][],
  clock: RunClock,
): Promise<number[]> {
  const known = scores.get(plan.n);
  if (known && plan.metric === pplMetric) return known;
  const computed = await clock.timed('scoring', () =>
    pplMetric.score(
      {
        model: o.model,
        blocks: scoring,
        batchSize: o.batchSize,
        signal: o.signal,
        onProgress: clock.progress('scoring', 'perplexity with each window removed (baseline)'),
      },
      [plan.n],
    ),
  );
  return computed.get(plan.n) as number[];
}

/** Perplexity of the model with each set of layers removed, in one pass sharing the common prefix. */
async function evaluateRemovals(
  o: ResolvedOptions,
  removals: readonly number[][],
  blocks: readonly number[][],
  clock: RunClock,
): Promise<(number | undefined)[]> {
  const layers = [...o.model.layers];
  // Every variant keeps the layers before its first removed one.
  const shared = Math.min(...removals.map((r) => Math.min(...r)));
  try {
    const results = await clock.timed('evaluation', () =>
      perplexityOfVariants(
        o.model,
        blocks,
        shared,
        removals.map((r) => withoutLayers(layers, r).slice(shared)),
        {
          batchSize: o.batchSize,
          label: `${o.modelSource ?? 'the model'}, evaluation of the baselines`,
          onProgress: clock.progress('evaluation', 'perplexity of the baselines'),
          shouldStop: () => o.signal?.aborted ?? false,
        },
      ),
    );
    return results.map((r) => r.perplexity);
  } catch (e) {
    // perplexity() stops with its own error; report a cancellation as the signal's reason.
    throw o.signal?.aborted ? o.signal.reason : e;
  }
}
