/**
 * Step 3 of the method, second half: the most redundant window j of m layers (the one the
 * replacement stands in for), and of n layers (the one plain removal would take, for comparison).
 */
import { selectWindow, type WindowChoice } from '../metrics/select-window.js';
import type { RemovalPlan } from './plan-removal.js';
import type { WindowScores } from './score-windows.js';

export interface ChosenWindows {
  /** Layers j…j+m−1, replaced by one module. */
  window: WindowChoice;
  /** Layers j…j+n−1, removed by plain removal. */
  removalWindow: WindowChoice;
}

export function chooseWindows(
  plan: RemovalPlan,
  scores: WindowScores,
  excludeLastLayer: boolean,
): ChosenWindows {
  const best = (size: number) =>
    selectWindow(plan.metric, scores.get(size) as number[], size, { excludeLastLayer });
  return { window: best(plan.m), removalWindow: best(plan.n) };
}
