/**
 * Window scores that are not numbers stop the run. A metric may leave a single window NaN on
 * purpose (ShortGPT's BI of a layer it cannot score; selectWindow skips those), but an infinite
 * score, or no finite score at all for a size the method needs, means the model's hidden states
 * are not finite: choosing a window from them would report a meaningless result as success.
 */
import { NonFiniteResultError } from '@llm-streamline/llm';

/**
 * Throws naming `label` (the model and stage) and `metric` when a score of `scores` is ±Inf, or
 * when one of `needed` sizes has no finite score.
 */
export function assertFiniteScores(
  scores: ReadonlyMap<number, readonly number[]>,
  needed: readonly number[],
  metric: string,
  label: string,
): void {
  for (const [size, list] of scores) {
    const infinite = list.findIndex((s) => s === Number.POSITIVE_INFINITY || s === -Infinity);
    if (infinite >= 0) {
      throw new NonFiniteResultError(
        `${label}: the ${metric} score of the ${size}-layer window at layer ${infinite} is ${list[infinite]} — the model's hidden states are not finite`,
      );
    }
  }
  for (const size of needed) {
    const list = scores.get(size) ?? [];
    if (list.length > 0 && !list.some(Number.isFinite)) {
      throw new NonFiniteResultError(
        `${label}: every ${metric} score of the ${size}-layer windows is NaN — the model's hidden states are not finite`,
      );
    }
  }
}
