import type { LlamaForCausalLM } from '@llm-streamline/llm';
import { planRemoval, type RemovalPlan, WindowStartError } from '@llm-streamline/streamline';
import { UsageError } from '../errors.js';

/**
 * The pipeline's own removal plan, made by `score` and `prune` as soon as the model is loaded, so
 * that a target this model cannot meet, or a --window-start it cannot have, is a usage error before
 * any work.
 */
export function removalPlanOrUsageError(
  model: LlamaForCausalLM,
  options: Parameters<typeof planRemoval>[1],
): RemovalPlan {
  try {
    return planRemoval(model, options);
  } catch (e) {
    if (e instanceof WindowStartError)
      throw new UsageError(
        `--window-start: ${e.message}`,
        e.last >= 0 ? `give a layer from 0 to ${e.last}` : 'choose a smaller --layers or --ratio',
      );
    throw new UsageError(
      `${options.target ? '--layers/--ratio' : 'this model'}: ${(e as Error).message}`,
      'choose a smaller --layers or --ratio',
    );
  }
}
