import { assemble } from '../stages/assemble.js';
import { buildReport, scoredWindows } from '../stages/build-report.js';
import { calibrate } from '../stages/calibrate.js';
import { checkMemory } from '../stages/check-memory.js';
import { checkSizes } from '../stages/check-sizes.js';
import { chooseWindows } from '../stages/choose-window.js';
import { compareMethods } from '../stages/compare-methods.js';
import { evaluate } from '../stages/evaluate.js';
import { checkTasks, evaluateTasks } from '../stages/evaluate-tasks.js';
import { fitReplacement } from '../stages/fit-replacement.js';
import { keepBetter } from '../stages/keep-better.js';
import { planRemoval } from '../stages/plan-removal.js';
import { RunClock } from '../stages/run-clock.js';
import { scoreWindows } from '../stages/score-windows.js';
import { withDefaults } from './defaults.js';
import type { StreamlineOptions } from './options.js';
import type { StreamlineReport } from './report.js';
import { budgetWarnings } from './training-budget.js';

export interface StreamlineResult {
  report: StreamlineReport;
  /** The model, now pruned: its layer list has the window replaced (or removed). */
  model: StreamlineOptions['model'];
}

/**
 * The whole LLM-Streamline method on a loaded model, one stage per step (src/stages/):
 *  1. calibration blocks from text;
 *  2. every window's redundancy score from one pass per batch (sizes n and n + 1 together);
 *  3. n from the target, the window chosen;
 *  4–5. the replacement for window j…j+m−1 (m = n + 1; m = n for plain removal), trained alone on
 *     (h_j, h_{j+m}) pairs from the frozen prefix, or fitted in closed form;
 *  5b. the replaced model against plain removal of n layers, by the language-model loss on the
 *     validation blocks: with `keep: 'best'` the lower is the one assembled (stages/keep-better.ts);
 *  6. perplexity of the original, plain-removal and replaced models on held-out text, and their
 *     accuracy on multiple-choice tasks when `tasks` are given;
 *  7. assembled: the window's layers leave the list and the replacement takes their place (or,
 *     when plain removal is kept, the removal window's layers leave it and the replacement is freed).
 * Saving (8) is separate (export/save-streamlined.ts). Cancel with `signal`: the model is left as it
 * was found (the window is only spliced out at the end, after evaluation).
 */
export async function streamline(options: StreamlineOptions): Promise<StreamlineResult> {
  const o = withDefaults(options);
  const { model } = o;
  const clock = new RunClock(o.onProgress, model);
  const original = { layers: model.layers.length, parameters: model.parameterCount() };
  const plan = planRemoval(model, o);
  checkSizes(o, plan.kind.fit);
  checkMemory(o, plan);
  checkTasks(o);
  const warn = o.onWarning ?? ((message: string) => console.warn(message));
  for (const warning of budgetWarnings(o, plan.kind.fit === 'train')) warn(warning);

  const { splits, evaluationBlocks } = await calibrate(o, plan.kind, clock);
  const scores = await scoreWindows(o, plan, splits.scoring, clock);
  const windows = chooseWindows(plan, scores, o.excludeLastLayer);
  o.onScored?.(scoredWindows(o, { original, plan, scores, windows }));
  const fitted = await fitReplacement(o, plan, windows.window, splits, clock);
  // Evaluation (6) comes before assembly (7), so the original and plain-removal models are
  // evaluated in place, on one layer list.
  const keep = await keepOrFree(o, windows, fitted.replacement, splits, clock);
  const perplexity = await evaluate(o, evaluationBlocks, windows, fitted.replacement, clock);
  const tasks = await evaluateTasks(o, windows, fitted.replacement, clock);
  // Other methods for the same n (ShortGPT, the ppl window), on the model as loaded.
  const baselines = await compareMethods(
    o,
    plan,
    scores,
    splits.scoring,
    evaluationBlocks,
    clock,
  ).catch((e) => {
    fitted.replacement?.dispose();
    throw e;
  });
  const kept = keep.kept === 'replaced' ? fitted.replacement : undefined;
  const assembly = assemble(model, windows, kept);

  const report = buildReport(o, {
    original,
    plan,
    splits,
    scores,
    windows,
    fitted,
    perplexity,
    tasks,
    keep,
    baselines,
    assembly,
    timings: clock.timings,
  });
  if (!kept && fitted.replacement) {
    // Plain removal was kept: the replacement was only needed for the report.
    fitted.replacement.dispose();
    if (model.memoryPlan) model.memoryPlan.pinnedBytes = 0;
  }
  return { report, model };
}

/** The keep decision; on failure the replacement is freed, as every later stage does. */
async function keepOrFree(...args: Parameters<typeof keepBetter>) {
  try {
    return await keepBetter(...args);
  } catch (e) {
    args[2]?.dispose();
    throw args[0].signal?.aborted ? args[0].signal.reason : e;
  }
}
