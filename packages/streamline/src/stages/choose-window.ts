/**
 * Step 3 of the method, second half: the most redundant window j of m layers (the one the
 * replacement stands in for), and of n layers (the one plain removal would take, for comparison).
 * With `windowStart` both start at the given layer instead; their scores are still the metric's.
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
  const start = plan.windowStart;
  const choose = (size: number): WindowChoice => {
    const s = scores.get(size) as number[];
    // A forced window (planRemoval checked that m layers fit there; n ≤ m do too).
    if (start !== undefined) return { start, size, score: s[start] as number };
    return selectWindow(plan.metric, s, size, { excludeLastLayer });
  };
  return { window: choose(plan.m), removalWindow: choose(plan.n) };
}
